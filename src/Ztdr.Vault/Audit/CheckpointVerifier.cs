using System.Globalization;
using System.Security.Cryptography;

namespace Ztdr.Vault.Audit;

/// <summary>The outcome of checking a chain against signed checkpoints; <see cref="Failure"/> is null when it extends every one.</summary>
public sealed record CheckpointVerification(AuditVerification Chain, int Checkpoints, AuditCheckpoint? Latest, string? Failure)
{
    public bool Ok => Failure is null && Chain.Ok;
}

/// <summary>
/// Proves that the chain on disk extends every checkpoint in a file kept off the host (docs/audit-format.md,
/// "Checkpoints"): each line must be signed by the given public key, and the chain's record at each checkpoint's
/// sequence must have the checkpoint's hash. A chain rewritten and rehashed anywhere before a checkpoint fails at the
/// first checkpoint after the change; a chain cut (or replaced by a shorter one) fails at the first checkpoint past its end.
/// </summary>
public static class CheckpointVerifier
{
    public static CheckpointVerification Verify(string auditDirectory, IEnumerable<string> checkpointLines, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(checkpointLines);
        var fingerprint = CheckpointKey.FingerprintOf(publicKey);
        var bySequence = new SortedDictionary<long, (AuditCheckpoint Checkpoint, int Line)>();
        var lineNumber = 0;
        foreach (var line in checkpointLines)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (!AuditCheckpoint.TryParse(line, out var checkpoint))
            {
                return Fail($"checkpoint line {lineNumber} is not a version {AuditCheckpoint.Version} checkpoint");
            }

            if (checkpoint!.KeyFingerprint != fingerprint)
            {
                return Fail($"checkpoint line {lineNumber} ({Describe(checkpoint)}) names signing key {checkpoint.KeyFingerprint}, not the given public key {fingerprint}");
            }

            if (!checkpoint.VerifiedBy(publicKey))
            {
                return Fail($"checkpoint line {lineNumber} ({Describe(checkpoint)}): the signature does not verify: the checkpoint was forged or altered");
            }

            if (bySequence.TryGetValue(checkpoint.Sequence, out var other) && other.Checkpoint.Hash != checkpoint.Hash)
            {
                // Both verify: the vault's key signed two different histories, so one of them is a rewrite re-signed on the host.
                return Fail($"checkpoint lines {other.Line} and {lineNumber} are both validly signed but give record {checkpoint.Sequence} different hashes: the chain was rewritten and re-signed with the host's key");
            }

            bySequence.TryAdd(checkpoint.Sequence, (checkpoint, lineNumber));
        }

        string? contradiction = null;
        var chain = AuditVerifier.Verify(auditDirectory, record =>
        {
            if (contradiction is null && bySequence.TryGetValue(record.Sequence, out var expected) && expected.Checkpoint.Hash != record.Hash)
            {
                contradiction = $"the chain contradicts checkpoint line {expected.Line} ({Describe(expected.Checkpoint)}): its record {record.Sequence} has hash {record.Hash}: the history up to that record was rewritten";
            }
        });
        var latest = bySequence.Count == 0 ? null : bySequence.Last().Value.Checkpoint;
        if (contradiction is not null)
        {
            return new CheckpointVerification(chain, bySequence.Count, latest, contradiction);
        }

        if (!chain.Ok)
        {
            return new CheckpointVerification(chain, bySequence.Count, latest, null);
        }

        var beyond = bySequence.Values.FirstOrDefault(entry => entry.Checkpoint.Sequence > chain.Records);
        if (beyond.Checkpoint is not null)
        {
            return new CheckpointVerification(chain, bySequence.Count, latest,
                $"the chain ends at record {chain.Records} but checkpoint line {beyond.Line} ({Describe(beyond.Checkpoint)}) names a later record: records were cut from the end, or the chain was replaced");
        }

        return new CheckpointVerification(chain, bySequence.Count, latest, null);

        CheckpointVerification Fail(string failure) =>
            new(new AuditVerification(0, AuditRecordFormat.GenesisHash, null), 0, null, failure);
    }

    public static string Describe(AuditCheckpoint checkpoint) =>
        $"record {checkpoint.Sequence.ToString(CultureInfo.InvariantCulture)} hash {checkpoint.Hash} at {checkpoint.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";
}
