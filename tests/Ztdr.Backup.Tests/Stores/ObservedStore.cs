using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>
/// Passes every call to a real store and lets a test watch or break the traffic: which names were uploaded, how many
/// retention extensions were asked for, a check run before chosen uploads, and a pack upload that fails like a
/// storage outage after a set number of them; and how many reads each name got.
/// </summary>
internal sealed class ObservedStore(IObjectStore inner) : ForwardingStore(inner)
{
    private int _packUploadsStarted;
    private readonly Lock _lock = new();
    private readonly List<string> _puts = [];
    private int _extendCalls;
    private readonly Dictionary<string, int> _gets = [];

    /// <summary>Pack uploads allowed before every further one fails with <see cref="StoreErrorKind.Unavailable"/>; null never fails.</summary>
    public int? FailPackUploadsAfter
    {
        get;
        set
        {
            lock (_lock)
            {
                field = value;
                _packUploadsStarted = 0;
            }
        }
    }

    /// <summary>Runs before each upload, with its name (e.g. to check retention the moment a snapshot is written).</summary>
    public Func<string, CancellationToken, Task>? BeforePut { get; set; }

    /// <summary>Names of the uploads that reached the store, in order.</summary>
    public IReadOnlyList<string> Puts
    {
        get
        {
            lock (_lock)
            {
                return [.. _puts];
            }
        }
    }

    public IReadOnlyList<string> PackPuts => [.. Puts.Where(n => n.StartsWith(RepositoryObjectNames.DataPrefix, StringComparison.Ordinal))];

    public int ExtendCalls => Volatile.Read(ref _extendCalls);

    /// <summary>Reads (whole or ranged, of any version) of each name that was read, so far.</summary>
    public IReadOnlyDictionary<string, int> Gets
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, int>(_gets);
            }
        }
    }

    public void ResetCounts()
    {
        lock (_lock)
        {
            _puts.Clear();
            _gets.Clear();
        }

        Volatile.Write(ref _extendCalls, 0);
    }

    public override Task PutNewAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
        PutNewAsync(name, StoreContent.AsStream(content), retainUntil, cancellationToken);

    public override async Task PutNewAsync(string name, Stream content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default)
    {
        if (BeforePut is { } before)
        {
            await before(name, cancellationToken);
        }

        lock (_lock)
        {
            // Counted as uploads start, not as they finish: packs upload concurrently, and two started when one had
            // finished would both get through a count of finished ones.
            if (name.StartsWith(RepositoryObjectNames.DataPrefix, StringComparison.Ordinal) && FailPackUploadsAfter is { } allowed)
            {
                if (_packUploadsStarted >= allowed)
                {
                    throw new ObjectStoreException(StoreErrorKind.Unavailable, $"object '{name}': storage went away (test fault)");
                }

                _packUploadsStarted++;
            }
        }

        await Inner.PutNewAsync(name, content, retainUntil, cancellationToken);
        lock (_lock)
        {
            _puts.Add(name);
        }
    }

    public override Task ExtendVersionRetentionAsync(string name, string? versionId, DateTimeOffset retainUntil, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _extendCalls);
        return Inner.ExtendVersionRetentionAsync(name, versionId, retainUntil, cancellationToken);
    }

    public override Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _extendCalls);
        return Inner.ExtendRetentionAsync(name, retainUntil, cancellationToken);
    }

    public override Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        CountGet(name);
        return Inner.GetAsync(name, range, cancellationToken);
    }

    public override Task<Stream> GetVersionAsync(string name, string? versionId, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        CountGet(name);
        return Inner.GetVersionAsync(name, versionId, range, cancellationToken);
    }

    private void CountGet(string name)
    {
        lock (_lock)
        {
            _gets[name] = _gets.GetValueOrDefault(name) + 1;
        }
    }
}
