using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>
/// Passes every call of the port to a real store; a test's wrapper overrides only the calls it watches or breaks, so
/// a method added to the port is forwarded everywhere by adding it here once.
/// </summary>
internal abstract class ForwardingStore(IObjectStore inner) : IObjectStore
{
    protected IObjectStore Inner => inner;

    public virtual StoreCapabilities Capabilities => inner.Capabilities;

    public virtual Task PutNewAsync(string name, Stream content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
        inner.PutNewAsync(name, content, retainUntil, cancellationToken);

    public virtual Task PutNewAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
        inner.PutNewAsync(name, content, retainUntil, cancellationToken);

    public virtual Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        inner.GetAsync(name, range, cancellationToken);

    public virtual Task<Stream> GetVersionAsync(string name, string? versionId, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        inner.GetVersionAsync(name, versionId, range, cancellationToken);

    public virtual IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, cancellationToken);

    public virtual IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        inner.ListVersionsAsync(prefix, cancellationToken);

    public virtual Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) => inner.ExistsAsync(name, cancellationToken);

    public virtual Task<ObjectRetention?> GetRetentionAsync(string name, CancellationToken cancellationToken = default) =>
        inner.GetRetentionAsync(name, cancellationToken);

    public virtual Task<ObjectRetention?> GetVersionRetentionAsync(string name, string? versionId, CancellationToken cancellationToken = default) =>
        inner.GetVersionRetentionAsync(name, versionId, cancellationToken);

    public virtual Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        inner.ExtendRetentionAsync(name, retainUntil, cancellationToken);

    public virtual Task ExtendVersionRetentionAsync(string name, string? versionId, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        inner.ExtendVersionRetentionAsync(name, versionId, retainUntil, cancellationToken);

    public virtual Task DeleteAsync(string name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);
}
