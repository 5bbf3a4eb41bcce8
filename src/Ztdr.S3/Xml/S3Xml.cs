using System.Globalization;

namespace Ztdr.S3.Xml;

/// <summary>Constants of S3's XML wire format shared by the writers, the parsers and the vault.</summary>
public static class S3Xml
{
    /// <summary>The namespace every S3 result document carries (the Error body does not).</summary>
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    /// <summary>Body cap for small configuration documents (bucket, versioning, object lock, retention, legal hold).</summary>
    public const int DefaultMaxBodyBytes = 64 * 1024;

    /// <summary>
    /// Body cap for DeleteObjects. 1000 keys of the maximum 1024 bytes plus markup is about 1.1 MB,
    /// so 1 MiB would reject legal requests; 2 MiB admits them and still bounds the parse.
    /// </summary>
    public const int DeleteMaxBodyBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Body cap for CompleteMultipartUpload. 10,000 parts, each with an ETag and a SHA-256 checksum and some
    /// indentation, come to about 2.2 MB; 64 KiB would reject any upload past roughly 800 parts.
    /// </summary>
    public const int CompleteMultipartUploadMaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Formats an instant the way S3 writes timestamps in XML bodies: UTC, millisecond precision,
    /// <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>. Sub-millisecond digits are truncated, not rounded, so a
    /// formatted time is never later than the stored one.
    /// </summary>
    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
}
