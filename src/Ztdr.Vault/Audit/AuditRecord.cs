using System.Text;

namespace Ztdr.Vault.Audit;

/// <summary>
/// One record of the audit chain (docs/audit-format.md, version 1): the audited event, its place in the chain and the
/// hashes that bind it there. Hashes are 64 lower-case hex characters.
/// </summary>
public sealed record AuditRecord(long Sequence, string PreviousHash, AuditEvent Event, string Hash)
{
    /// <summary>The record exactly as the log stores it (without the line feed), so a script can recompute its hash.</summary>
    public string ToJson()
    {
        var line = AuditRecordFormat.Line(AuditRecordFormat.Canonical(Sequence, PreviousHash, Event), Hash);
        return Encoding.UTF8.GetString(line, 0, line.Length - 1);
    }
}
