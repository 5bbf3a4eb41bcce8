using System.Security.Cryptography;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Recovery;

/// <summary>
/// Gives the files in quarantine/ back to clients (<c>ztdr-vault recover</c>, with the vault stopped). A file that a
/// metadata row names again (the metadata store was restored from a backup) simply goes back to objects/. Any other file
/// becomes a version of its own in <see cref="RecoveredBucket"/> under the key <c>quarantine/&lt;file id&gt;</c>, with a
/// legal hold, because its lock is unknown and must not be guessed shorter than it was: nothing can delete it until an
/// admin releases the hold. Every file handled is audited.
/// </summary>
/// <remarks>
/// A data file is the body bytes and nothing else (docs/vault-storage.md): its size, its MD5 (a single PUT's ETag) and
/// its write time are all it tells. <see cref="Missing"/> lists what it cannot: the rest of the version's metadata.
/// </remarks>
public sealed class QuarantineRecovery
{
    /// <summary>The bucket rebuilt versions go to: versioned, with Object Lock, created when missing.</summary>
    public const string RecoveredBucket = "ztdr-recovered";

    /// <summary>
    /// What a data file does not hold, so a rebuilt version cannot have it: where the object was (bucket, key), which
    /// version it was, its lock (retention mode and retain-until date, legal hold), its content headers and user
    /// metadata, the checksum the client chose, and, for a multipart part, which upload it belonged to and where.
    /// </summary>
    public static readonly IReadOnlyList<string> Missing =
        ["bucket", "key", "versionId", "retention", "legalHold", "headers", "checksum", "multipartPosition"];

    private readonly VaultStore _store;
    private readonly IAuditLog _audit;
    private readonly SecureClock _clock;

    public QuarantineRecovery(VaultStore store, IAuditLog audit, SecureClock clock)
    {
        _store = store;
        _audit = audit;
        _clock = clock;
    }

    /// <summary>
    /// Names each file start-up recovery moved to quarantine in the audit chain, one record per file: after a lost or
    /// rolled-back metadata store these records and the files are the only trace of the versions.
    /// </summary>
    public static Task AuditQuarantinedAsync(IAuditLog audit, SecureClock clock, IReadOnlyList<QuarantinedFile> files) =>
        Task.WhenAll(QuarantineEvents(clock, files).Select(e => audit.AppendAsync(e)));

    /// <summary>One <c>startup:quarantine</c> record per file moved to quarantine/.</summary>
    public static IEnumerable<AuditEvent> QuarantineEvents(SecureClock clock, IReadOnlyList<QuarantinedFile> files) =>
        files.Select(f => new AuditEvent(clock.Now.Now, AuditLog.VaultPrincipal, "startup:quarantine", null,
            $"{f.FileId}: {f.Size} bytes, written {f.LastWrite:O}, referenced by no version; moved to quarantine/", null, "alert", "local", null));

    public async Task<RecoveryReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var restored = new List<QuarantinedFile>();
        var rebuilt = new List<RebuiltVersion>();
        foreach (var file in _store.Files.ListQuarantine())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_store.IsReferenced(file.FileId))
            {
                _store.Files.ReleaseFromQuarantine(file.FileId);
                await AuditAsync("recover:restored", null, $"{file.FileId}: named by a version again; back in objects/", null);
                restored.Add(file);
                continue;
            }

            rebuilt.Add(await RebuildAsync(file, cancellationToken));
        }

        return new RecoveryReport(restored, rebuilt);
    }

    private async Task<RebuiltVersion> RebuildAsync(QuarantinedFile file, CancellationToken cancellationToken)
    {
        string etag;
        await using (var stream = _store.Files.OpenQuarantined(file.FileId))
        {
            etag = $"\"{Convert.ToHexStringLower(await MD5.HashDataAsync(stream, cancellationToken))}\"";
        }

        await EnsureBucketAsync(cancellationToken);
        var key = "quarantine/" + file.FileId;

        // Publish before commit, as every write: a crash in between leaves the file unreferenced in objects/, and the
        // next start quarantines it again.
        _store.Files.ReleaseFromQuarantine(file.FileId);
        var version = new NewVersion(RecoveredBucket, key, file.Size, etag, StoredHeaders.Empty, null, [new Segment(file.FileId, file.Size, etag)])
        {
            LegalHold = true,
        };
        var mutation = await _store.Objects.PutAsync(version, _clock.Now, cancellationToken);
        var versionId = mutation.Result.VersionId;
        await AuditAsync("recover:rebuilt", RecoveredBucket, key, versionId);
        return new RebuiltVersion(file, RecoveredBucket, key, versionId, etag);
    }

    private async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        var bucket = _store.Buckets.Find(RecoveredBucket)
            ?? await _store.Buckets.CreateAsync(RecoveredBucket, VersioningState.Enabled, objectLock: true, cancellationToken);
        if (!bucket.ObjectLockEnabled)
        {
            // A legal hold needs Object Lock; without it a rebuilt version could be deleted at once.
            throw new InvalidOperationException($"the bucket '{RecoveredBucket}' exists without Object Lock, so recovered data could not be held; rename it (copy its objects elsewhere and delete it) and run recover again");
        }
    }

    private Task AuditAsync(string operation, string? bucket, string? key, string? versionId) =>
        _audit.AppendAsync(new AuditEvent(_clock.Now.Now, AuditLog.VaultPrincipal, operation, bucket, key, versionId, "allowed", "local", null));
}

/// <summary>What one recover run did: files restored to their versions, and versions rebuilt from bare files.</summary>
public sealed record RecoveryReport(IReadOnlyList<QuarantinedFile> Restored, IReadOnlyList<RebuiltVersion> Rebuilt);

/// <summary>A version rebuilt from a quarantined data file; it lacks everything in <see cref="QuarantineRecovery.Missing"/>.</summary>
public sealed record RebuiltVersion(QuarantinedFile File, string Bucket, string Key, string VersionId, string ETag);
