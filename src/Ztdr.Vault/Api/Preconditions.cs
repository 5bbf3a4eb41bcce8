using System.Globalization;
using Ztdr.S3.Errors;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>RFC 7232 conditionals with S3's precedence (If-Match beats If-Unmodified-Since; If-None-Match beats If-Modified-Since).</summary>
internal static class Preconditions
{
    public static void Check(ObjectVersion version, string? ifMatch, string? ifNoneMatch, string? ifModifiedSince, string? ifUnmodifiedSince, bool forCopySource)
    {
        var lastModified = ObjectHeaders.TruncateToSeconds(version.LastModified);
        if (ifMatch is not null)
        {
            if (!ETagListMatches(ifMatch, version.ETag))
            {
                throw Failed(forCopySource ? "x-amz-copy-source-If-Match" : "If-Match");
            }
        }
        else if (ParseDate(ifUnmodifiedSince) is { } unmodifiedSince && lastModified > unmodifiedSince)
        {
            throw Failed(forCopySource ? "x-amz-copy-source-If-Unmodified-Since" : "If-Unmodified-Since");
        }

        if (ifNoneMatch is not null)
        {
            if (ETagListMatches(ifNoneMatch, version.ETag))
            {
                throw forCopySource ? Failed("x-amz-copy-source-If-None-Match") : NotModified(version);
            }
        }
        else if (ParseDate(ifModifiedSince) is { } modifiedSince && lastModified <= modifiedSince)
        {
            throw forCopySource ? Failed("x-amz-copy-source-If-Modified-Since") : NotModified(version);
        }
    }

    private static bool ETagListMatches(string header, string etag)
    {
        foreach (var candidate in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var value = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
            if (value == "*" || value.Trim('"') == etag.Trim('"'))
            {
                return true;
            }
        }

        return false;
    }

    private static DateTimeOffset? ParseDate(string? value) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;

    private static S3Exception Failed(string condition) => new S3Exception(S3Errors.PreconditionFailed).With("Condition", condition);

    private static S3Exception NotModified(ObjectVersion version) =>
        new S3Exception(S3Errors.NotModified).WithHeader("ETag", version.ETag).WithHeader("Last-Modified", ObjectHeaders.HttpDate(version.LastModified));
}
