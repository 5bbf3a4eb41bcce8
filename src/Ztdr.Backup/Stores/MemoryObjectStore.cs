using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ztdr.Backup.Stores;

/// <summary>
/// An in-memory store that enforces S3 COMPLIANCE-mode semantics against an injected clock: write-once names,
/// retention that only grows, and no delete while a lock is active. The fake the engine's unit tests run on; it
/// passes the same conformance suite as the real stores.
/// </summary>
public sealed class MemoryObjectStore : IObjectStore
{
    private readonly Dictionary<string, Entry> _objects = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    public MemoryObjectStore(TimeProvider time)
    {
        _time = time;
    }

    public StoreCapabilities Capabilities { get; } = new(Immutable: true, "in-memory store (test fake with compliance-lock semantics)");

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
            if (_objects.TryGetValue(name, out var existing))
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

            if (retainUntil is { } date && date <= now)
            {
                throw StoreErrors.RetentionNotInFuture(name, date);
            }

            var retention = retainUntil is { } d ? new ObjectRetention(RetentionMode.Compliance, d) : null;
            _objects[name] = new Entry(bytes) { Retention = retention };
            if (retention is not null)
            {
                RetentionWrites++;
            }
        }
    }

    public Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        var data = Find(name).Data;
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
            found = [.. _objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(o => new ObjectInfo(o.Key, o.Value.Data.LongLength))];
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
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
            return Task.FromResult(_objects.ContainsKey(name));
        }
    }

    public Task<ObjectRetention?> GetRetentionAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        return Task.FromResult(Find(name).Retention);
    }

    public Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        lock (_lock)
        {
            var entry = _objects.TryGetValue(name, out var e) ? e : throw StoreErrors.NotFound(name);
            if (entry.Retention?.Covers(retainUntil) != true)
            {
                ExtendLocked(name, entry, retainUntil, _time.GetUtcNow());
            }
        }

        return Task.CompletedTask;
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        lock (_lock)
        {
            if (_objects.TryGetValue(name, out var entry))
            {
                if (entry.Retention is { } retention && retention.IsActiveAt(_time.GetUtcNow()))
                {
                    throw StoreErrors.Locked(name, retention.RetainUntil);
                }

                _objects.Remove(name);
            }
        }

        return Task.CompletedTask;
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

    private Entry Find(string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(name, out var entry) ? entry : throw StoreErrors.NotFound(name);
        }
    }

    private sealed class Entry(byte[] data)
    {
        public byte[] Data { get; } = data;

        public ObjectRetention? Retention { get; set; }
    }
}
