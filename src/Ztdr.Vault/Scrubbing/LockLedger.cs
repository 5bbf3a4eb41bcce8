using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Scrubbing;

/// <summary>
/// The lock state every version must have according to the audit chain: the chain's lock-carrying records
/// (docs/audit-format.md, "Lock state") replayed in order, the latest state per version kept. A removal the chain
/// records of a version it says was still protected is reported as it is replayed.
/// </summary>
/// <remarks>
/// Memory is bounded by the versions that are locked, not by the chain's length: each is kept as a 128-bit digest of
/// (bucket, key, version id) and a 32-byte state, about 70 bytes with the dictionary's own (docs/benchmarks.md). Names
/// are not kept; the few a finding needs are read back from the chain or the metadata store.
/// </remarks>
internal sealed class LockLedger
{
    private readonly Dictionary<UInt128, ExpectedLock> _expected = [];

    public int Count => _expected.Count;

    public long RecordsReplayed { get; private set; }

    public IEnumerable<KeyValuePair<UInt128, ExpectedLock>> Entries => _expected;

    public bool TryGet(UInt128 id, out ExpectedLock expected) => _expected.TryGetValue(id, out expected);

    public void MarkSeen(UInt128 id, ExpectedLock expected) => _expected[id] = expected with { Seen = true };

    /// <summary>Applies one verified record; returns the finding a removal contradicting the chain calls for.</summary>
    public ScrubFinding? Apply(AuditRecord record)
    {
        RecordsReplayed++;
        var e = record.Event;
        if (e.Lock is not { } state || e.Outcome != "allowed" || e.Bucket is null || e.Key is null || e.VersionId is null)
        {
            return null;
        }

        var id = Id(e.Bucket, e.Key, e.VersionId);
        if (state.Change == AuditLockChange.Set)
        {
            if (state.Protects)
            {
                _expected[id] = new ExpectedLock(state.Mode, state.RetainUntilMs ?? 0, state.LegalHold == true, record.Sequence);
            }
            else
            {
                _expected.Remove(id);
            }

            return null;
        }

        if (!_expected.Remove(id, out var expected))
        {
            return null;
        }

        var reasons = Weakening(expected, state.Retention, state.LegalHold);
        var at = e.TrustedTime.ToUnixTimeMilliseconds();
        if (reasons is null && expected.StillProtects(at, state.Bypass))
        {
            reasons = $"the chain says it was {expected} at the time";
        }

        return reasons is null ? null : Finding(e.Bucket, e.Key, e.VersionId,
            $"removed at {e.TrustedTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} by {e.Principal} (audit record {record.Sequence}) "
            + $"while the metadata store said {Describe(state.Retention, state.LegalHold)}: {reasons} (last set by record {expected.Sequence}); the metadata store was edited");
    }

    /// <summary>
    /// How the stored state falls short of the expected one, or null if it does not: a retention removed, moved earlier
    /// or turned from COMPLIANCE into GOVERNANCE, a legal hold dropped. A stronger stored state is not reported: it
    /// releases nothing.
    /// </summary>
    public static string? Weakening(ExpectedLock expected, Retention? stored, bool? storedHold)
    {
        var reasons = new List<string>();
        if (expected.Mode is { } mode)
        {
            var until = Time(expected.RetainUntilMs);
            if (stored is null)
            {
                reasons.Add($"retention removed (the chain says {mode.ToString().ToUpperInvariant()} until {until})");
            }
            else
            {
                // COMPLIANCE is the stronger mode; anything else (GOVERNANCE for COMPLIANCE, or a number no mode has) is weaker.
                if (stored.Mode != mode && stored.Mode != LockMode.Compliance)
                {
                    reasons.Add($"mode changed from {mode.ToString().ToUpperInvariant()} to {stored.Mode.ToString().ToUpperInvariant()}");
                }

                if (stored.RetainUntil.ToUnixTimeMilliseconds() < expected.RetainUntilMs)
                {
                    reasons.Add($"retain-until moved earlier, from {until} to {Time(stored.RetainUntil.ToUnixTimeMilliseconds())}");
                }
            }
        }

        if (expected.LegalHold && storedHold != true)
        {
            reasons.Add("legal hold dropped");
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    public static ScrubFinding Finding(string bucket, string key, string versionId, string detail) =>
        new(ScrubProblem.Tampering, bucket, key, versionId, -1, string.Empty, detail);

    /// <summary>A fixed-size name for a version: length-prefixed, so no two (bucket, key, version id) share an encoding.</summary>
    public static UInt128 Id(string bucket, string key, string versionId)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in (ReadOnlySpan<string>)[bucket, key, versionId])
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt128BigEndian(digest);
    }

    public static string Describe(Retention? retention, bool? hold) =>
        (retention is null ? "no retention" : $"{retention.Mode.ToString().ToUpperInvariant()} until {Time(retention.RetainUntil.ToUnixTimeMilliseconds())}")
        + (hold == true ? ", legal hold on" : ", no legal hold");

    public static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}

/// <summary>The lock state the chain last gave a version, and the record that gave it.</summary>
internal readonly record struct ExpectedLock(LockMode? Mode, long RetainUntilMs, bool LegalHold, long Sequence)
{
    /// <summary>Set once the metadata store was found to hold the version.</summary>
    public bool Seen { get; init; }

    /// <summary>Whether removing the version at <paramref name="atMs"/> (trusted time) was something the lock engine must refuse.</summary>
    public bool StillProtects(long atMs, bool bypass) =>
        LegalHold || (Mode is { } mode && atMs < RetainUntilMs && (mode == LockMode.Compliance || !bypass));

    public override string ToString() =>
        LockLedger.Describe(Mode is { } mode ? new Retention(mode, DateTimeOffset.FromUnixTimeMilliseconds(RetainUntilMs)) : null, LegalHold);
}
