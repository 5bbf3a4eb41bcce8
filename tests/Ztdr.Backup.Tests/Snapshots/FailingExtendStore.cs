using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Tests.Snapshots;

/// <summary>A store whose retention extensions fail: what a vault that refuses the extension looks like to the engine.</summary>
internal sealed class FailingExtendStore(IObjectStore inner) : IObjectStore
{
    public StoreCapabilities Capabilities => inner.Capabilities;

    public Task PutNewAsync(string name, Stream content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
        inner.PutNewAsync(name, content, retainUntil, cancellationToken);

    public Task PutNewAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
        inner.PutNewAsync(name, content, retainUntil, cancellationToken);

    public Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        inner.GetAsync(name, range, cancellationToken);

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, cancellationToken);

    public IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        inner.ListVersionsAsync(prefix, cancellationToken);

    public Task<Stream> GetVersionAsync(string name, string? versionId, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        inner.GetVersionAsync(name, versionId, range, cancellationToken);

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) => inner.ExistsAsync(name, cancellationToken);

    public Task<ObjectRetention?> GetRetentionAsync(string name, CancellationToken cancellationToken = default) =>
        inner.GetRetentionAsync(name, cancellationToken);

    public Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        throw new ObjectStoreException(StoreErrorKind.AccessDenied, $"Extending the retention of {name} was refused.");

    public Task<ObjectRetention?> GetVersionRetentionAsync(string name, string? versionId, CancellationToken cancellationToken = default) =>
        inner.GetVersionRetentionAsync(name, versionId, cancellationToken);

    public Task ExtendVersionRetentionAsync(string name, string? versionId, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        ExtendRetentionAsync(name, retainUntil, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);
}
