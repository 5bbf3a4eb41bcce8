using Amazon.S3;
using Amazon.S3.Model;

using Ztdr.Backup.Stores;

namespace Ztdr.Assess;

/// <summary>
/// An object the assessment wrote for itself to attack, under <c>ztdr-assess/&lt;run id&gt;/</c>: probes never touch
/// data they did not write. <see cref="Locked"/> is false when the bucket refused a COMPLIANCE-locked write and the
/// canary was written plain instead (so the destructive probes still show what the key can do).
/// </summary>
internal sealed record Canary(string Key, string? VersionId, bool Locked, DateTimeOffset RetainUntil, byte[] Content, string WriteEvidence)
{
    /// <summary>The key and version as a reviewer would request them.</summary>
    public string Address => VersionId is null ? Key : $"{Key}?versionId={VersionId}";

    /// <summary>
    /// Writes a canary with the backup key: COMPLIANCE until <paramref name="retainUntil"/>, or without lock headers if
    /// the bucket refuses those. Null when the bucket refuses both (the probes that need it are then not applicable).
    /// </summary>
    public static async Task<(Canary? Canary, string Evidence)> WriteAsync(IAmazonS3 client, string bucket, string key, DateTimeOffset retainUntil, CancellationToken cancellationToken)
    {
        var content = System.Text.Encoding.UTF8.GetBytes($"ztdr assess canary {key}\n");
        PutObjectResponse? written = null;
        var locked = await Answer.OfAsync(async () => written = await client.PutObjectAsync(Request(bucket, key, content, retainUntil), cancellationToken));
        if (locked.Accepted && written is not null)
        {
            return (new Canary(key, written.VersionId, true, retainUntil, content, locked.Evidence), locked.Evidence);
        }

        if (!locked.Answered)
        {
            return (null, locked.Evidence);
        }

        var plain = await Answer.OfAsync(async () => written = await client.PutObjectAsync(Request(bucket, key, content, null), cancellationToken));
        var evidence = $"PUT with COMPLIANCE lock {locked.Evidence}; PUT without lock {plain.Evidence}";
        return plain.Accepted && written is not null ? (new Canary(key, written.VersionId, false, retainUntil, content, evidence), evidence) : (null, evidence);
    }

    internal static PutObjectRequest Request(string bucket, string key, byte[] content, DateTimeOffset? retainUntil)
    {
        // The body's digests go as headers, as ztdr's own store sends them: on Ceph RGW 16 the SDK's trailing checksum
        // is refused, the canary would never be written, and every probe on it would be void.
        var digest = UploadDigest.Of(content);
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(content, writable: false),
            MD5Digest = digest.Md5,
            ChecksumCRC32 = digest.Crc32,
        };
        if (retainUntil is { } until)
        {
            request.ObjectLockMode = ObjectLockMode.Compliance;
            request.ObjectLockRetainUntilDate = until.UtcDateTime;
        }

        return request;
    }
}
