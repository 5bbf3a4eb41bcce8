using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ztdr.Backup.Stores;

/// <summary>
/// An in-memory store that enforces S3 COMPLIANCE-mode semantics against an injected clock: write-once names,
/// retention that only grows, and no delete while a lock is active. Like a versioned S3 bucket it keeps every version
/// of a name, so tests can play the attacker who holds the backup key (<see cref="PutVersion"/>,
/// <see cref="HideWithDeleteMarker"/>). The fake the engine's unit tests run on; it passes the same conformance suite as
/// the real stores.
/// </summary>
public sealed class MemoryObjectStore : IObjectStore
{
    // Each name's versions, oldest first; the last one is the current version (possibly a delete marker).
    private readonly Dictionary<string, List<Entry>> _objects = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private long _nextVersion;

    public MemoryObjectStore(TimeProvider time)
    {
        _time = time;
    }

    public StoreCapabilities Capabilities { get; } = new(Immutable: true, "in-memory store (test fake with compliance-lock semantics)", KeepsVersions: true);

    /// <summary>How many writes changed a retention (puts with a date, real extensions); for counting extension calls.</summary>
    public int RetentionWrites { get; private set; }

    public Task PutNewAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
        PutNewAsync(name, StoreContent.AsStream(content), retainUntil, cancellationToken);

    public async Task PutNewAsync(string name, Stream content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);

        // The retry rule compares by re-reading the content, which a real store can do only with a seekable stream.
        var canCompare = content.CanSeek;
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (CurrentLocked(name) is { } existing)
            {
                if (!canCompare || !SHA256.HashData(existing.Data).AsSpan().SequenceEqual(SHA256.HashData(bytes)))
                {
                    throw StoreErrors.AlreadyExists(name);
                }

                if (retainUntil is { } until && existing.Retention?.Covers(until) != true)
                {
                    ExtendLocked(name, existing, until, now);
                }

                return;
            }

            AddVersionLocked(name, bytes, retainUntil, now);
        }
    }

    /// <summary>
    /// What a stolen backup key can do on a versioned S3 bucket: an unconditional PUT, which becomes the current version
    /// of <paramref name="name"/> and leaves the earlier versions in place. Returns the new version's id.
    /// </summary>
    public string PutVersion(string name, ReadOnlySpan<byte> content, DateTimeOffset? retainUntil = null)
    {
        ObjectNames.Validate(name);
        lock (_lock)
        {
            return AddVersionLocked(name, content.ToArray(), retainUntil, _time.GetUtcNow()).VersionId;
        }
    }

    /// <summary>What a stolen backup key can do on a versioned S3 bucket: a DELETE without version id, which hides every version.</summary>
    public string HideWithDeleteMarker(string name)
    {
        ObjectNames.Validate(name);
        lock (_lock)
        {
            var marker = new Entry([], NewVersionId(), _time.GetUtcNow(), IsDeleteMarker: true);
            Versions(name).Add(marker);
            return marker.VersionId;
        }
    }

    public Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        GetVersionAsync(name, null, range, cancellationToken);

    public Task<Stream> GetVersionAsync(string name, string? versionId, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        Entry entry;
        lock (_lock)
        {
            entry = (versionId is null ? CurrentLocked(name) : VersionLocked(name, versionId)) ?? throw StoreErrors.NotFound(name);
        }

        var data = entry.Data;
        if (range is not { } r)
        {
            return Task.FromResult<Stream>(new MemoryStream(data, writable: false));
        }

        var offset = (int)Math.Min(r.Offset, data.Length);
        var length = (int)Math.Min(r.Length, data.Length - offset);
        return Task.FromResult<Stream>(new MemoryStream(data, offset, length, writable: false));
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectNames.ValidatePrefix(prefix);
        List<ObjectInfo> found;
        lock (_lock)
        {
            found = [.. _objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal) && !o.Value[^1].IsDeleteMarker)
                .Select(o => new ObjectInfo(o.Key, o.Value[^1].Data.LongLength))];
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var item in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return item;
        }
    }

    public async IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectNames.ValidatePrefix(prefix);
        List<ObjectVersion> found = [];
        lock (_lock)
        {
            foreach (var (name, versions) in _objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                for (var i = versions.Count - 1; i >= 0; i--)
                {
                    var v = versions[i];
                    found.Add(new ObjectVersion(name, v.VersionId, v.Data.LongLength, v.Written, v.IsDeleteMarker));
                }
            }
        }

        foreach (var item in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return item;
        }
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        lock (_lock)
        {
            return Task.FromResult(CurrentLocked(name) is not null);
        }
    }

    public Task<ObjectRetention?> GetRetentionAsync(string name, CancellationToken cancellationToken = default) =>
        GetVersionRetentionAsync(name, null, cancellationToken);

    public Task<ObjectRetention?> GetVersionRetentionAsync(string name, string? versionId, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        lock (_lock)
        {
            return Task.FromResult(((versionId is null ? CurrentLocked(name) : VersionLocked(name, versionId)) ?? throw StoreErrors.NotFound(name)).Retention);
        }
    }

    public Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        ExtendVersionRetentionAsync(name, null, retainUntil, cancellationToken);

    public Task ExtendVersionRetentionAsync(string name, string? versionId, DateTimeOffset retainUntil, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        lock (_lock)
        {
            var entry = (versionId is null ? CurrentLocked(name) : VersionLocked(name, versionId)) ?? throw StoreErrors.NotFound(name);
            if (entry.Retention?.Covers(retainUntil) != true)
            {
                ExtendLocked(name, entry, retainUntil, _time.GetUtcNow());
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Removes every version of the name, oldest first, as the S3 store does; a locked version stops it there.</summary>
    public Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        lock (_lock)
        {
            if (_objects.TryGetValue(name, out var versions))
            {
                while (versions.Count > 0)
                {
                    if (versions[0].Retention is { } retention && retention.IsActiveAt(_time.GetUtcNow()))
                    {
                        throw StoreErrors.Locked(name, retention.RetainUntil);
                    }

                    versions.RemoveAt(0);
                }

                _objects.Remove(name);
            }
        }

        return Task.CompletedTask;
    }

    private Entry AddVersionLocked(string name, byte[] bytes, DateTimeOffset? retainUntil, DateTimeOffset now)
    {
        if (retainUntil is { } date && date <= now)
        {
            throw StoreErrors.RetentionNotInFuture(name, date);
        }

        var retention = retainUntil is { } d ? new ObjectRetention(RetentionMode.Compliance, d) : null;
        var entry = new Entry(bytes, NewVersionId(), now, IsDeleteMarker: false) { Retention = retention };
        Versions(name).Add(entry);
        if (retention is not null)
        {
            RetentionWrites++;
        }

        return entry;
    }

    private void ExtendLocked(string name, Entry entry, DateTimeOffset retainUntil, DateTimeOffset now)
    {
        if (retainUntil <= now)
        {
            throw StoreErrors.RetentionNotInFuture(name, retainUntil);
        }

        // S3 §1.6: an active GOVERNANCE lock cannot become COMPLIANCE without bypass, which the engine never holds.
        if (entry.Retention is { Mode: RetentionMode.Governance } governance && governance.IsActiveAt(now))
        {
            throw StoreErrors.AccessDenied($"object '{name}'", "under GOVERNANCE retention; changing the mode needs bypass");
        }

        entry.Retention = new ObjectRetention(RetentionMode.Compliance, retainUntil);
        RetentionWrites++;
    }

    private List<Entry> Versions(string name)
    {
        if (!_objects.TryGetValue(name, out var versions))
        {
            versions = [];
            _objects[name] = versions;
        }

        return versions;
    }

    private Entry? CurrentLocked(string name) =>
        _objects.TryGetValue(name, out var versions) && versions.Count > 0 && !versions[^1].IsDeleteMarker ? versions[^1] : null;

    private Entry? VersionLocked(string name, string versionId) =>
        _objects.TryGetValue(name, out var versions) ? versions.FirstOrDefault(v => v.VersionId == versionId && !v.IsDeleteMarker) : null;

    private string NewVersionId() => (++_nextVersion).ToString("D12", CultureInfo.InvariantCulture);

    private sealed record Entry(byte[] Data, string VersionId, DateTimeOffset Written, bool IsDeleteMarker)
    {
        public ObjectRetention? Retention { get; set; }
    }
}
