using System.Collections.Concurrent;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Authenticity;

/// <summary>
/// The store as the repository reads it: a name whose current version was found to be an impostor is read from the
/// authentic version below it (its pin) instead; everything else passes through. Pins are set only by a reader that
/// authenticated the pinned version, and last for the command.
/// </summary>
internal sealed class VersionPinnedStore(IObjectStore inner) : IObjectStore
{
    private readonly ConcurrentDictionary<string, string> _pins = new(StringComparer.Ordinal);

    public IObjectStore Inner => inner;

    public StoreCapabilities Capabilities => inner.Capabilities;

    /// <summary>Reads of <paramref name="name"/> go to <paramref name="versionId"/> from now on.</summary>
    public void Pin(string name, string versionId) => _pins[name] = versionId;

    /// <summary>The version reads of <paramref name="name"/> go to, or null for the current one.</summary>
    public string? PinOf(string name) => _pins.TryGetValue(name, out var version) ? version : null;

    public Task PutNewAsync(string name, Stream content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
        inner.PutNewAsync(name, content, retainUntil, cancellationToken);

    public Task PutNewAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
        inner.PutNewAsync(name, content, retainUntil, cancellationToken);

    public Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        inner.GetVersionAsync(name, PinOf(name), range, cancellationToken);

    public Task<Stream> GetVersionAsync(string name, string? versionId, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        inner.GetVersionAsync(name, versionId ?? PinOf(name), range, cancellationToken);

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, cancellationToken);

    public IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        inner.ListVersionsAsync(prefix, cancellationToken);

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        PinOf(name) is not null || await inner.ExistsAsync(name, cancellationToken);

    // Lock coverage is judged and extended on the version reads get: an impostor's lock protects nothing of ours.
    public Task<ObjectRetention?> GetRetentionAsync(string name, CancellationToken cancellationToken = default) =>
        inner.GetVersionRetentionAsync(name, PinOf(name), cancellationToken);

    public Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        inner.ExtendVersionRetentionAsync(name, PinOf(name), retainUntil, cancellationToken);

    public Task<ObjectRetention?> GetVersionRetentionAsync(string name, string? versionId, CancellationToken cancellationToken = default) =>
        inner.GetVersionRetentionAsync(name, versionId ?? PinOf(name), cancellationToken);

    public Task ExtendVersionRetentionAsync(string name, string? versionId, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        inner.ExtendVersionRetentionAsync(name, versionId ?? PinOf(name), retainUntil, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);
}
