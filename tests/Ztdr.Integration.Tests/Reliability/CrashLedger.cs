namespace Ztdr.Integration.Tests.Reliability;

/// <summary>What the vault must hold for one object version, as far as the clients were told.</summary>
internal sealed class ExpectedVersion
{
    public required string Key { get; init; }

    public required string VersionId { get; init; }

    public required string ETag { get; init; }

    public required long Size { get; init; }

    public required byte[] Sha256 { get; init; }

    /// <summary>Null for an unlocked version; otherwise compliance mode until at least this instant.</summary>
    public DateTime? AcknowledgedRetainUntil { get; set; }

    /// <summary>The latest retain-until asked for, acknowledged or not: what the vault holds lies between the two.</summary>
    public DateTime? RequestedRetainUntil { get; set; }

    /// <summary>A delete of this version was sent but not answered: it may or may not have happened.</summary>
    public bool MaybeDeleted { get; set; }

    public bool Locked => AcknowledgedRetainUntil is not null;
}

/// <summary>A body sent but not (yet) acknowledged: after a crash it is either absent or exactly this.</summary>
internal sealed record InFlightPut(string Key, long Size, byte[] Sha256, DateTime? RetainUntil);

/// <summary>
/// Every acknowledged operation of a crash run: versions that must exist, versions that must not, and what was in
/// flight when the vault died. Each worker owns its keys, so no two operations on one version ever race.
/// </summary>
internal sealed class CrashLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Key, string VersionId), ExpectedVersion> _alive = [];
    /// <summary>Deleted versions, each with how the ledger learnt it (for the failure message).</summary>
    private readonly Dictionary<(string Key, string VersionId), string> _deleted = [];
    private readonly Dictionary<string, InFlightPut> _inFlight = new(StringComparer.Ordinal);
    private readonly List<ExpectedVersion> _touched = [];

    public int AcknowledgedWrites { get; private set; }

    public int AcknowledgedDeletes { get; private set; }

    public int AcknowledgedRetentions { get; private set; }

    public void Sending(InFlightPut put)
    {
        lock (_lock)
        {
            _inFlight[put.Key] = put;
        }
    }

    public void Acknowledged(InFlightPut put, string versionId, string etag)
    {
        lock (_lock)
        {
            _inFlight.Remove(put.Key);
            AddAlive(put, versionId, etag);
            AcknowledgedWrites++;
        }
    }

    public void DeleteSending(ExpectedVersion version)
    {
        lock (_lock)
        {
            version.MaybeDeleted = true;
            _touched.Add(version);
        }
    }

    public void DeleteAcknowledged(ExpectedVersion version)
    {
        lock (_lock)
        {
            _alive.Remove((version.Key, version.VersionId));
            _deleted.Add((version.Key, version.VersionId), $"delete acknowledged (ledger write {AcknowledgedWrites})");
            AcknowledgedDeletes++;
        }
    }

    public void RetentionSending(ExpectedVersion version, DateTime until)
    {
        lock (_lock)
        {
            version.RequestedRetainUntil = until;
            _touched.Add(version);
        }
    }

    public void RetentionAcknowledged(ExpectedVersion version, DateTime until)
    {
        lock (_lock)
        {
            version.AcknowledgedRetainUntil = until;
            AcknowledgedRetentions++;
        }
    }

    public int AliveCount
    {
        get
        {
            lock (_lock)
            {
                return _alive.Count;
            }
        }
    }

    public IReadOnlyList<ExpectedVersion> Alive()
    {
        lock (_lock)
        {
            return [.. _alive.Values];
        }
    }

    /// <summary>Versions created or changed since the last call: the ones re-read byte for byte after a crash.</summary>
    public IReadOnlyList<ExpectedVersion> TakeTouched()
    {
        lock (_lock)
        {
            var touched = _touched.Distinct().Where(v => _alive.ContainsKey((v.Key, v.VersionId))).ToList();
            _touched.Clear();
            return touched;
        }
    }

    public ExpectedVersion? Find(string key, string versionId)
    {
        lock (_lock)
        {
            return _alive.GetValueOrDefault((key, versionId));
        }
    }

    /// <summary>Null when the version was never deleted; else how the ledger knows it was.</summary>
    public string? WasDeleted(string key, string versionId)
    {
        lock (_lock)
        {
            return _deleted.GetValueOrDefault((key, versionId));
        }
    }

    /// <summary>
    /// A version the listing shows that no acknowledgement names must be the body that was in flight for that key;
    /// it becomes an ordinary expected version (the vault committed it, so it must stay).
    /// </summary>
    public InFlightPut? TakeInFlight(string key)
    {
        lock (_lock)
        {
            return _inFlight.Remove(key, out var put) ? put : null;
        }
    }

    /// <summary>After a restart: versions whose delete was unanswered are settled by what the vault shows.</summary>
    public void Settle(Func<ExpectedVersion, bool> present)
    {
        lock (_lock)
        {
            foreach (var version in _alive.Values.Where(v => v.MaybeDeleted).ToList())
            {
                if (present(version))
                {
                    version.MaybeDeleted = false;
                }
                else
                {
                    _alive.Remove((version.Key, version.VersionId));
                    _deleted.Add((version.Key, version.VersionId), $"delete in flight at a crash, then not listed (ledger write {AcknowledgedWrites})");
                }
            }
        }
    }

    /// <summary>After a restart has been checked: whatever was in flight and did not land never will.</summary>
    public void ForgetInFlight()
    {
        lock (_lock)
        {
            _inFlight.Clear();
        }
    }

    /// <summary>A version now known to exist, as the PUT asked for it (caller holds the lock).</summary>
    private void AddAlive(InFlightPut put, string versionId, string etag)
    {
        var version = new ExpectedVersion
        {
            Key = put.Key,
            VersionId = versionId,
            ETag = etag,
            Size = put.Size,
            Sha256 = put.Sha256,
            AcknowledgedRetainUntil = put.RetainUntil,
            RequestedRetainUntil = put.RetainUntil,
        };
        _alive.Add((put.Key, versionId), version);
        _touched.Add(version);
    }

    public void Adopt(InFlightPut put, string versionId, string etag)
    {
        lock (_lock)
        {
            AddAlive(put, versionId, etag);
        }
    }
}
