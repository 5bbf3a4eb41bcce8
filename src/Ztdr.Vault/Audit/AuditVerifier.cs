namespace Ztdr.Vault.Audit;

/// <summary>
/// Walks the whole chain from the genesis value and stops at the first defect. Reads only: safe while the vault runs.
/// </summary>
internal static class AuditVerifier
{
    /// <summary><paramref name="observe"/> sees every record that verified, in chain order: checkpoints are matched this way.</summary>
    public static AuditVerification Verify(string auditDirectory, Action<AuditRecord>? observe = null)
    {
        var paths = AuditPaths.Existing(auditDirectory);

        // The head first: it only ever names records already flushed to the log, so a log read after it holds them.
        AuditHead? head;
        AuditDefect? headDefect = null;
        try
        {
            head = AuditHead.Read(paths.Head);
        }
        catch (AuditLogDamagedException e)
        {
            head = null;
            headDefect = new AuditDefect(AuditDefectKind.HeadMissing, 0, 0, e.Message);
        }

        if (!File.Exists(paths.Log))
        {
            return head is { Sequence: > 0 }
                ? new AuditVerification(0, AuditRecordFormat.GenesisHash, new AuditDefect(
                    AuditDefectKind.TailCut, 1, 1, $"the log file is missing, but the head anchor names record {head.Sequence}"))
                : new AuditVerification(0, AuditRecordFormat.GenesisHash, headDefect);
        }

        using var stream = new FileStream(paths.Log, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite,
            BufferSize = 0,
        });
        using var lines = AuditLogLines.Forward(stream).GetEnumerator();
        var previousHash = AuditRecordFormat.GenesisHash;
        long count = 0;
        if (head is { Sequence: 0 } && head.Hash != previousHash)
        {
            return new AuditVerification(0, previousHash, new AuditDefect(AuditDefectKind.HeadMismatch, 0, 0, "the head anchor names record 0 with a hash other than the genesis value"));
        }

        while (lines.MoveNext())
        {
            var expected = count + 1;
            var defect = Check(lines.Current, expected, previousHash, lines, head, out var record);
            if (defect is not null)
            {
                return new AuditVerification(count, previousHash, defect);
            }

            count = expected;
            previousHash = record!.Hash;
            observe?.Invoke(record);
        }

        if (count > 0 && headDefect is not null)
        {
            return new AuditVerification(count, previousHash, headDefect);
        }

        if (count > 0 && head is null)
        {
            return new AuditVerification(count, previousHash, new AuditDefect(
                AuditDefectKind.HeadMissing, 0, 0, "the log has records but the head anchor file is missing: it was deleted, perhaps to hide a cut tail"));
        }

        if (head is not null && head.Sequence > count)
        {
            return new AuditVerification(count, previousHash, new AuditDefect(
                AuditDefectKind.TailCut, count + 1, count + 1, $"the log ends at record {count} but the head anchor names record {head.Sequence}: records were cut from the end"));
        }

        return new AuditVerification(count, previousHash, null);
    }

    private static AuditDefect? Check(AuditLogLines.Line line, long expected, string previousHash, IEnumerator<AuditLogLines.Line> rest, AuditHead? head, out AuditRecord? record)
    {
        record = null;
        if (line.TooLong)
        {
            return new AuditDefect(AuditDefectKind.Unparsable, expected, expected, $"longer than {AuditLogLines.MaxLineBytes} bytes; not a record");
        }

        if (!line.Terminated)
        {
            return new AuditDefect(AuditDefectKind.TornTail, expected, expected,
                "the last line has no line feed: a write in progress (run verify again), a crash the vault repairs at its next start, or bytes appended by hand");
        }

        if (!AuditRecordFormat.TryParse(line.Bytes, out record, out var error))
        {
            return new AuditDefect(AuditDefectKind.Unparsable, expected, expected, error!);
        }

        if (AuditRecordFormat.ComputeHash(record!) != record!.Hash)
        {
            return new AuditDefect(AuditDefectKind.Edited, expected, expected, "its hash does not match its content: the record was changed after it was written");
        }

        if (record.Sequence < expected)
        {
            return new AuditDefect(AuditDefectKind.Reordered, expected, expected, $"holds record {record.Sequence}, which belongs earlier: records were moved or duplicated");
        }

        if (record.Sequence > expected)
        {
            return AppearsLater(rest, expected)
                ? new AuditDefect(AuditDefectKind.Reordered, expected, expected, $"holds record {record.Sequence}; record {expected} appears later: records were moved or swapped")
                : new AuditDefect(AuditDefectKind.Removed, expected, expected, $"holds record {record.Sequence}; record {expected} is missing: records were removed");
        }

        if (record.PreviousHash != previousHash)
        {
            return new AuditDefect(AuditDefectKind.ChainBroken, expected, expected,
                "its previous hash is not the hash of the record before it: a record was removed or replaced");
        }

        if (head is not null && head.Sequence == record.Sequence && head.Hash != record.Hash)
        {
            return new AuditDefect(AuditDefectKind.HeadMismatch, expected, expected,
                "its hash differs from the head anchor's: the log was rewritten up to here, or the anchor was edited");
        }

        return null;
    }

    private static bool AppearsLater(IEnumerator<AuditLogLines.Line> rest, long sequence)
    {
        while (rest.MoveNext())
        {
            if (rest.Current.Terminated && AuditRecordFormat.TryParse(rest.Current.Bytes, out var later, out _) && later!.Sequence == sequence)
            {
                return true;
            }
        }

        return false;
    }
}
