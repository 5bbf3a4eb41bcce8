using System.Globalization;
using Ztdr.S3.Errors;

namespace Ztdr.Vault.Api;

/// <summary>A single satisfiable byte range of an object, resolved from a Range header as S3 does.</summary>
internal readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;

    /// <summary>
    /// Resolves <c>bytes=a-b</c>, <c>bytes=a-</c> and <c>bytes=-n</c>. Null means "whole object" (no header, a
    /// multi-range or a syntax S3 ignores). A start beyond the end is InvalidRange (416).
    /// </summary>
    public static ByteRange? Parse(string? header, long size)
    {
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = header[6..].Trim();
        if (spec.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return null;
            }

            if (suffix == 0 || size == 0)
            {
                throw Unsatisfiable(size);
            }

            var take = Math.Min(suffix, size);
            return new ByteRange(size - take, take);
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        long end = size - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
            {
                return null;
            }
        }

        if (start >= size)
        {
            throw Unsatisfiable(size);
        }

        end = Math.Min(end, size - 1);
        return new ByteRange(start, end - start + 1);
    }

    private static S3Exception Unsatisfiable(long size) =>
        new S3Exception(S3Errors.InvalidRange)
            .With("RangeRequested", "bytes")
            .With("ActualObjectSize", size.ToString(CultureInfo.InvariantCulture))
            .WithHeader("Content-Range", $"bytes */{size.ToString(CultureInfo.InvariantCulture)}");
}
