using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Storage;

/// <summary>
/// The commit protocol of every S3 write (docs/vault-storage.md, "Write path"): a staged body is first published under
/// its final name and made durable, then one metadata transaction makes it visible; a transaction that fails deletes
/// the file it published, and one that commits deletes the files it left unreferenced. The API says what to store;
/// this class owns the order, so no handler can commit metadata ahead of durable bytes or leak a data file.
/// </summary>
public sealed class Commits
{
    private readonly VaultStore _store;

    internal Commits(VaultStore store) => _store = store;

    /// <summary>Publishes <paramref name="staged"/> and commits the version <paramref name="version"/> builds around it.</summary>
    public Task<Mutation<ObjectVersion>> PutVersionAsync(StagedFile staged, string etag, Func<Segment, NewVersion> version, TrustedInstant now) =>
        PublishThenCommitAsync(staged, etag, segment => _store.Objects.PutAsync(version(segment), now, CancellationToken.None));

    /// <summary>Publishes <paramref name="staged"/> and commits it as the part <paramref name="part"/> builds (replacing one of the same number).</summary>
    public Task<Mutation<UploadedPart>> PutPartAsync(StagedFile staged, string etag, string bucket, string key, string uploadId, Func<Segment, UploadedPart> part) =>
        PublishThenCommitAsync(staged, etag, segment => _store.Uploads.PutPartAsync(bucket, key, uploadId, part(segment), CancellationToken.None));

    /// <summary>Completes an upload (see <see cref="UploadCatalog.CompleteAsync"/>); the parts it did not use are deleted after the commit.</summary>
    public Task<Mutation<ObjectVersion>> CompleteUploadAsync(
        string bucket, string key, string uploadId, Func<MultipartUpload, IReadOnlyDictionary<int, UploadedPart>, NewVersion> build, TrustedInstant now) =>
        ThenDeleteOrphansAsync(_store.Uploads.CompleteAsync(bucket, key, uploadId, build, now, CancellationToken.None));

    /// <summary>Aborts an upload; its part files are deleted after the commit.</summary>
    public Task<Mutation<bool>> AbortUploadAsync(string bucket, string key, string uploadId) =>
        ThenDeleteOrphansAsync(_store.Uploads.AbortAsync(bucket, key, uploadId, CancellationToken.None));

    /// <summary>Deletes a version or adds a delete marker, as the lock engine allows; freed files are deleted after the commit.</summary>
    public Task<Mutation<DeleteOutcome>> DeleteAsync(string bucket, string key, string? versionId, DeleteAuthority authority, TrustedInstant now) =>
        ThenDeleteOrphansAsync(_store.Objects.DeleteAsync(bucket, key, versionId, authority, now, CancellationToken.None));

    // Metadata transactions are not cancelled once the body is published: a client that goes away mid-commit must not
    // leave a published file whose version may or may not have committed.
    private async Task<Mutation<T>> PublishThenCommitAsync<T>(StagedFile staged, string etag, Func<Segment, Task<Mutation<T>>> commit)
    {
        var segment = _store.Files.Publish(staged, etag);
        Mutation<T> mutation;
        try
        {
            mutation = await commit(segment);
        }
        catch
        {
            _store.Files.Delete(segment.FileId);
            throw;
        }

        _store.DeleteFiles(mutation.OrphanedFiles);
        return mutation;
    }

    private async Task<Mutation<T>> ThenDeleteOrphansAsync<T>(Task<Mutation<T>> commit)
    {
        var mutation = await commit;
        _store.DeleteFiles(mutation.OrphanedFiles);
        return mutation;
    }
}
