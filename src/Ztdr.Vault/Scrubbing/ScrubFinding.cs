namespace Ztdr.Vault.Scrubbing;

/// <summary>What is wrong with one stored segment. Names are what the CLI, the logs and the audit record show.</summary>
public enum ScrubProblem
{
    /// <summary>The data file a committed segment names is not in objects/ (or the recorded file id is malformed).</summary>
    Missing,

    /// <summary>The file is not as long as the segment row says: truncated or appended to.</summary>
    SizeMismatch,

    /// <summary>The bytes' MD5 differs from the segment's part ETag: silent corruption (bit rot, tampering).</summary>
    ChecksumMismatch,

    /// <summary>
    /// The file has a write bit. Data files are published 0400 and never modified; a writable one means someone
    /// changed its mode, and its bytes are no longer protected from an accidental or deliberate edit.
    /// </summary>
    Writable,

    /// <summary>Reading the file failed (EIO from a bad sector, permission denied): its bytes cannot be verified.</summary>
    Unreadable,

    /// <summary>
    /// The version's lock state in the metadata store is weaker than the audit chain says, or the version is gone (or
    /// was removed) while the chain says it was protected: someone edited the store behind the vault's back. Not about a
    /// segment: the finding's segment index is -1 and its file id empty.
    /// </summary>
    Tampering,
}

/// <summary>
/// One problem with one segment of one stored version (or, for <see cref="ScrubProblem.Tampering"/>, with the version's lock). <c>SegmentIndex</c> counts from 0 (a multipart part number
/// minus one); <c>Detail</c> explains it for people (expected and found size or checksum, the I/O error).
/// </summary>
public sealed record ScrubFinding(
    ScrubProblem Problem,
    string Bucket,
    string Key,
    string VersionId,
    int SegmentIndex,
    string FileId,
    string Detail);

/// <summary>
/// A file in objects/ that no committed segment and no in-flight multipart part refers to, older than the grace
/// period. It is never served (reads go through metadata) and is reported, not deleted: removing data is a decision
/// for an operator, not for a checker.
/// </summary>
public sealed record OrphanFile(string FileId, long Size, DateTimeOffset LastWrite);
