using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Ztdr.S3.Errors;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>Object headers in both directions: what a PUT stores, and what GET/HEAD return.</summary>
internal static class ObjectHeaders
{
    /// <summary>S3's limit on user metadata (names and values, UTF-8).</summary>
    public const int MaxUserMetadataBytes = 2048;

    public static StoredHeaders FromRequest(S3Call call)
    {
        var request = call.Http.Request;
        var metadata = new List<KeyValuePair<string, string>>();
        var metadataBytes = 0;
        foreach (var header in request.Headers)
        {
            if (header.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
            {
                var name = header.Key[11..].ToLowerInvariant();
                var value = header.Value.ToString();
                metadataBytes += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value);
                metadata.Add(new(name, value));
            }
        }

        if (metadataBytes > MaxUserMetadataBytes)
        {
            throw new S3Exception(S3Errors.MetadataTooLarge).With("Size", metadataBytes.ToString(CultureInfo.InvariantCulture)).With("MaxSizeAllowed", "2048");
        }

        metadata.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new StoredHeaders(
            call.Header("content-type"),
            StripAwsChunked(call.Header("content-encoding")),
            call.Header("content-disposition"),
            call.Header("content-language"),
            call.Header("cache-control"),
            call.Header("expires"),
            metadata);
    }

    /// <summary>aws-chunked is transfer framing, not a property of the object: AWS stores only the other encodings.</summary>
    internal static string? StripAwsChunked(string? contentEncoding)
    {
        if (contentEncoding is null)
        {
            return null;
        }

        var rest = contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(e => !e.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase));
        var joined = string.Join(",", rest);
        return joined.Length == 0 ? null : joined;
    }

    public static void Write(HttpResponse response, ObjectVersion version, BucketRecord bucket, IReadOnlyDictionary<string, string> query)
    {
        var headers = response.Headers;
        headers.ETag = version.ETag;
        headers.LastModified = HttpDate(version.LastModified);
        headers.AcceptRanges = "bytes";
        if (bucket.Versioning != VersioningState.Unversioned)
        {
            headers["x-amz-version-id"] = version.VersionId;
        }

        var stored = version.Headers;
        headers.ContentType = Override(query, "response-content-type") ?? stored.ContentType ?? "binary/octet-stream";
        SetIfAny(headers, "Content-Encoding", Override(query, "response-content-encoding") ?? stored.ContentEncoding);
        SetIfAny(headers, "Content-Disposition", Override(query, "response-content-disposition") ?? stored.ContentDisposition);
        SetIfAny(headers, "Content-Language", Override(query, "response-content-language") ?? stored.ContentLanguage);
        SetIfAny(headers, "Cache-Control", Override(query, "response-cache-control") ?? stored.CacheControl);
        SetIfAny(headers, "Expires", Override(query, "response-expires") ?? stored.Expires);
        foreach (var (name, value) in stored.UserMetadata)
        {
            headers["x-amz-meta-" + name] = value;
        }

        if (version.Segments.Count > 1)
        {
            headers["x-amz-mp-parts-count"] = version.Segments.Count.ToString(CultureInfo.InvariantCulture);
        }
    }

    public static string HttpDate(DateTimeOffset time) => time.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    /// <summary>HTTP dates have whole seconds; conditionals compare at that precision.</summary>
    public static DateTimeOffset TruncateToSeconds(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static string? Override(IReadOnlyDictionary<string, string> query, string name) => query.TryGetValue(name, out var value) ? value : null;

    private static void SetIfAny(IHeaderDictionary headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers[name] = value;
        }
    }
}
