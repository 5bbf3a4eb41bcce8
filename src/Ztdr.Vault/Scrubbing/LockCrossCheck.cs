using Ztdr.Vault.Audit;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Scrubbing;

/// <summary>What the lock cross-check covered: null <see cref="ScrubResult.Locks"/> means there was no chain to check against.</summary>
public sealed record LockCheckSummary(long AuditRecords, long LockedVersions, long VersionsCompared);

/// <summary>
/// Cross-checks every version's lock state in the metadata store against the audit chain (issue 12, item 8): root can
/// edit SQLite, but every lock change is also a record in a hash chain whose head is signed off the host. Reports as
/// tampering every version the store holds weaker than the chain says, every locked version the store lost without a
/// record removing it, and every recorded removal of a version the chain says was still protected.
/// </summary>
/// <remarks>
/// The chain is streamed once (twice when versions are missing, to name them) and the store paged by seq, so memory
/// is the ledger of locked versions (<see cref="LockLedger"/>). Against a serving vault a change is committed before its
/// record is written, so every difference is re-checked after reading the records appended meanwhile.
/// </remarks>
internal sealed class LockCrossCheck
{
    private readonly string _auditDirectory;
    private readonly StoredLocks _store;
    private readonly Func<ScrubFinding, Task> _report;

    public LockCrossCheck(string auditDirectory, MetadataDatabase database, Func<ScrubFinding, Task> report)
    {
        _auditDirectory = auditDirectory;
        _store = new StoredLocks(database);
        _report = report;
    }

    /// <summary>Null when the vault has no audit log (nothing was ever recorded, so nothing can be compared).</summary>
    public async Task<LockCheckSummary?> RunAsync(int batchSize, CancellationToken cancellationToken)
    {
        using var chain = AuditChainReader.Open(_auditDirectory);
        if (chain is null)
        {
            return null;
        }

        var ledger = new LockLedger();
        await ReplayAsync(chain, ledger, cancellationToken);
        if (chain.Defect is { } defect)
        {
            await _report(LockLedger.Finding("-", "-", "-",
                $"the audit chain does not verify ({defect}), so lock states were not cross-checked past record {chain.Sequence}; run 'ztdr-vault audit verify' and keep the folder as evidence"));
            return new LockCheckSummary(ledger.RecordsReplayed, ledger.Count, 0);
        }

        var (compared, weaker) = CompareStore(ledger, batchSize, cancellationToken);

        // A serving vault commits first and records after: read what it recorded meanwhile, then judge each difference again.
        await ReplayAsync(chain, ledger, cancellationToken);
        foreach (var row in weaker)
        {
            var now = _store.Find(row.Bucket, row.Key, row.VersionId);
            await JudgeAsync(ledger, LockLedger.Id(row.Bucket, row.Key, row.VersionId), row.Bucket, row.Key, row.VersionId, now);
        }

        var missing = ledger.Entries.Where(entry => !entry.Value.Seen).Select(entry => entry.Key).ToHashSet();
        if (missing.Count > 0)
        {
            foreach (var (id, (bucket, key, versionId)) in Name(missing, chain.Sequence, cancellationToken))
            {
                await JudgeAsync(ledger, id, bucket, key, versionId, _store.Find(bucket, key, versionId));
            }
        }

        return new LockCheckSummary(ledger.RecordsReplayed, ledger.Count, compared);
    }

    private async Task ReplayAsync(AuditChainReader chain, LockLedger ledger, CancellationToken cancellationToken)
    {
        foreach (var record in chain.ReadAvailable())
        {
            if ((record.Sequence & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (ledger.Apply(record) is { } finding)
            {
                await _report(finding);
            }
        }
    }

    /// <summary>Marks every stored version the ledger knows as seen; returns how many were compared and those stored weaker.</summary>
    private (long Compared, List<StoredLock> Weaker) CompareStore(LockLedger ledger, int batchSize, CancellationToken cancellationToken)
    {
        long compared = 0;
        var weaker = new List<StoredLock>();
        long after = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = _store.NextBatch(after, batchSize);
            foreach (var row in batch)
            {
                var id = LockLedger.Id(row.Bucket, row.Key, row.VersionId);
                if (!ledger.TryGet(id, out var expected))
                {
                    continue;
                }

                compared++;
                ledger.MarkSeen(id, expected);
                if (LockLedger.Weakening(expected, row.Retention, row.LegalHold) is not null)
                {
                    weaker.Add(row);
                }
            }

            if (batch.Count < batchSize)
            {
                return (compared, weaker);
            }

            after = batch[^1].Sequence;
        }
    }

    private async Task JudgeAsync(LockLedger ledger, UInt128 id, string bucket, string key, string versionId, StoredLock? stored)
    {
        if (!ledger.TryGet(id, out var expected))
        {
            return; // a later record removed it or released its lock
        }

        if (stored is null)
        {
            await _report(LockLedger.Finding(bucket, key, versionId,
                $"the chain says it is {expected} (audit record {expected.Sequence}) but the metadata store has no such version and no record removed it; the metadata store was edited"));
            return;
        }

        if (LockLedger.Weakening(expected, stored.Retention, stored.LegalHold) is { } reasons)
        {
            await _report(LockLedger.Finding(bucket, key, versionId,
                $"the metadata store says {LockLedger.Describe(stored.Retention, stored.LegalHold)}: {reasons} (set by audit record {expected.Sequence}); the metadata store was edited"));
        }
    }

    /// <summary>Names the ledger entries in <paramref name="ids"/> from the last lock record of each, reading the chain once more.</summary>
    private Dictionary<UInt128, (string Bucket, string Key, string VersionId)> Name(HashSet<UInt128> ids, long upTo, CancellationToken cancellationToken)
    {
        var names = new Dictionary<UInt128, (string, string, string)>();
        using var chain = AuditChainReader.Open(_auditDirectory)!;
        foreach (var record in chain.ReadAvailable())
        {
            if (record.Sequence > upTo)
            {
                break;
            }

            if ((record.Sequence & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var e = record.Event;
            if (e.Lock is not null && e.Bucket is not null && e.Key is not null && e.VersionId is not null)
            {
                var id = LockLedger.Id(e.Bucket, e.Key, e.VersionId);
                if (ids.Contains(id))
                {
                    names[id] = (e.Bucket, e.Key, e.VersionId);
                }
            }
        }

        return names;
    }
}
