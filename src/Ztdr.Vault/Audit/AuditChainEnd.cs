using Microsoft.Win32.SafeHandles;

namespace Ztdr.Vault.Audit;

/// <summary>
/// Where an existing log ends, found at start without reading the whole chain: the last complete record, the torn
/// fragment after it (if a crash left one), and a check that the head anchor agrees with both.
/// </summary>
internal sealed record AuditChainEnd(long Sequence, string Hash, long CompleteLength, long TornLength, DateTimeOffset? LastTime = null)
{
    /// <summary>
    /// The head may trail the log by one batch (a crash between flushing the log and writing the head), never more;
    /// this bounds how far back the anchor check walks.
    /// </summary>
    public const int MaxHeadLag = AuditLog.MaxBatch;

    public static AuditChainEnd Find(SafeFileHandle log, long length, AuditHead head, string logPath)
    {
        var complete = AuditLogLines.CompleteLength(log, length);
        var last = (AuditRecord?)null;
        foreach (var line in AuditLogLines.Backward(log, complete))
        {
            var record = Parse(line, logPath);
            if (last is null)
            {
                last = record;
                if (AuditRecordFormat.ComputeHash(record) != record.Hash)
                {
                    throw Damaged(logPath, $"its last record ({record.Sequence}) does not match its hash");
                }

                if (head.Sequence > record.Sequence)
                {
                    throw Damaged(logPath, $"it ends at record {record.Sequence} but the head anchor names record {head.Sequence}: records were cut from the end");
                }

                if (head.Sequence == record.Sequence)
                {
                    return Matches(record.Hash) ? End(record) : throw HeadMismatch(logPath, head);
                }

                if (record.Sequence - head.Sequence > MaxHeadLag + 1)
                {
                    throw Damaged(logPath, $"the head anchor names record {head.Sequence}, more than one batch behind the last record {record.Sequence}");
                }
            }

            // Walking back to the record after the one the head names: its previous hash must be the head's hash.
            if (record.Sequence == head.Sequence + 1)
            {
                return Matches(record.PreviousHash) ? End(last) : throw HeadMismatch(logPath, head);
            }

            if (record.Sequence <= head.Sequence)
            {
                throw Damaged(logPath, $"its records are missing or out of order near record {record.Sequence}");
            }
        }

        if (last is not null)
        {
            throw Damaged(logPath, $"the record after the head anchor's record {head.Sequence} is missing");
        }

        // No complete record at all.
        return head.Sequence == 0 && Matches(AuditRecordFormat.GenesisHash)
            ? new AuditChainEnd(0, AuditRecordFormat.GenesisHash, complete, length - complete)
            : throw Damaged(logPath, $"it holds no record but the head anchor names record {head.Sequence}: records were cut from the end");

        bool Matches(string hash) => hash == head.Hash;
        AuditChainEnd End(AuditRecord record) => new(record.Sequence, record.Hash, complete, length - complete, record.Event.TrustedTime);
    }

    private static AuditRecord Parse(byte[] line, string logPath) =>
        AuditRecordFormat.TryParse(line, out var record, out var error)
            ? record!
            : throw Damaged(logPath, $"a record near its end is unreadable ({error})");

    private static AuditLogDamagedException HeadMismatch(string logPath, AuditHead head) =>
        Damaged(logPath, $"record {head.Sequence} does not have the hash the head anchor names: the log was rewritten");

    public static AuditLogDamagedException Damaged(string logPath, string what) =>
        new($"The audit log '{logPath}' cannot be continued: {what}. Run 'ztdr-vault audit verify', keep the audit folder as evidence "
            + "and move it aside to start a new chain.");
}
