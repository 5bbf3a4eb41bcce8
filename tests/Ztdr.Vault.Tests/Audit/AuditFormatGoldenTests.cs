using System.Text;
using Ztdr.Vault.Audit;

namespace Ztdr.Vault.Tests.Audit;

/// <summary>
/// Freezes the audit record format (docs/audit-format.md, version 1). A failure here means existing chains would no
/// longer verify: make it a new format version, never a new expectation.
/// </summary>
public sealed class AuditFormatGoldenTests
{
    private static readonly AuditEvent Known = new(
        new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_012),
        "AKIDEXAMPLE",
        "PutObject",
        "backups",
        "data/00/pack-01",
        "0f1e2d3c",
        "allowed",
        "192.0.2.10",
        "req-1");

    [Fact]
    public void GenesisHash_IsSha256OfItsLabel()
    {
        Assert.Equal("a8440f229da4cd76fdc747f577a682a1f54d8d6ab3810647ee9716770f342231", AuditRecordFormat.GenesisHash);
        Assert.Equal(AuditRecordFormat.Sha256Hex("ztdr-vault audit chain v1"u8), AuditRecordFormat.GenesisHash);
    }

    [Fact]
    public void Version_Is1()
    {
        Assert.Equal(1, AuditRecordFormat.Version);
    }

    [Fact]
    public void Canonical_KnownRecord_IsFrozen()
    {
        var canonical = AuditRecordFormat.Canonical(1, AuditRecordFormat.GenesisHash, Known);

        Assert.Equal(
            "{\"v\":1,\"seq\":1,\"time\":\"2025-01-02T03:04:05.6789012Z\",\"principal\":\"AKIDEXAMPLE\",\"operation\":\"PutObject\","
            + "\"bucket\":\"backups\",\"key\":\"data/00/pack-01\",\"versionId\":\"0f1e2d3c\",\"outcome\":\"allowed\","
            + "\"source\":\"192.0.2.10\",\"requestId\":\"req-1\","
            + "\"prev\":\"a8440f229da4cd76fdc747f577a682a1f54d8d6ab3810647ee9716770f342231\"}",
            Encoding.UTF8.GetString(canonical));
    }

    [Fact]
    public void Create_RefusalSummary_LineIsFrozen()
    {
        // The summary of unauthenticated refusals (docs/audit-format.md, "Summaries"): a v1 record, its meaning frozen too.
        var summary = RefusalSummaries.Summary(
            new DateTimeOffset(2026, 12, 7, 12, 1, 0, TimeSpan.Zero).AddTicks(1_234_567), RefusalSummaries.WindowOf(new DateTimeOffset(2026, 12, 7, 12, 0, 30, TimeSpan.Zero)), "192.0.2.7", "denied:AccessDenied", 712, "9F2C01AB34CD56EF");

        var (_, line) = AuditRecordFormat.Create(1, AuditRecordFormat.GenesisHash, summary);

        Assert.Equal(
            "{\"v\":1,\"seq\":1,\"time\":\"2026-12-07T12:01:00.1234567Z\",\"principal\":\"unauthenticated\",\"operation\":\"audit:summary\","
            + "\"bucket\":null,\"key\":\"more=712 window=2026-12-07T12:00:00Z\",\"versionId\":null,\"outcome\":\"denied:AccessDenied\","
            + "\"source\":\"192.0.2.7\",\"requestId\":\"9F2C01AB34CD56EF\","
            + "\"prev\":\"a8440f229da4cd76fdc747f577a682a1f54d8d6ab3810647ee9716770f342231\",",
            Encoding.UTF8.GetString(line)[..^75]);
    }

    [Fact]
    public void Create_KnownRecord_HashAndLineAreFrozen()
    {
        var (record, line) = AuditRecordFormat.Create(1, AuditRecordFormat.GenesisHash, Known);

        Assert.Equal("4c0899de51882618f4685e071f448989ad0d017501da9b76774044fea03c3d42", record.Hash);
        Assert.Equal(
            "{\"v\":1,\"seq\":1,\"time\":\"2025-01-02T03:04:05.6789012Z\",\"principal\":\"AKIDEXAMPLE\",\"operation\":\"PutObject\","
            + "\"bucket\":\"backups\",\"key\":\"data/00/pack-01\",\"versionId\":\"0f1e2d3c\",\"outcome\":\"allowed\","
            + "\"source\":\"192.0.2.10\",\"requestId\":\"req-1\","
            + "\"prev\":\"a8440f229da4cd76fdc747f577a682a1f54d8d6ab3810647ee9716770f342231\","
            + "\"hash\":\"4c0899de51882618f4685e071f448989ad0d017501da9b76774044fea03c3d42\"}\n",
            Encoding.UTF8.GetString(line));
        Assert.Equal(Encoding.UTF8.GetString(line).TrimEnd('\n'), record.ToJson());
    }

    [Fact]
    public void Canonical_NullsEscapesAndOffsets_AreFrozen()
    {
        var odd = new AuditEvent(
            new DateTimeOffset(2025, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)),
            "ztdr-vault",
            "DeleteObject",
            null,
            "q\"b\\s/\n\r\t\u0001\u007fé€😀",
            null,
            "denied:AccessDenied",
            null,
            null);

        var canonical = AuditRecordFormat.Canonical(42, AuditRecordFormat.GenesisHash, odd);

        Assert.Equal(
            "{\"v\":1,\"seq\":42,\"time\":\"2025-01-02T03:04:05.0000000Z\",\"principal\":\"ztdr-vault\",\"operation\":\"DeleteObject\","
            + "\"bucket\":null,\"key\":\"q\\\"b\\\\s/\\u000a\\u000d\\u0009\\u0001\\u007fé€😀\",\"versionId\":null,"
            + "\"outcome\":\"denied:AccessDenied\",\"source\":null,\"requestId\":null,"
            + "\"prev\":\"a8440f229da4cd76fdc747f577a682a1f54d8d6ab3810647ee9716770f342231\"}",
            Encoding.UTF8.GetString(canonical));
        Assert.Equal("0b699689bf7a7d05c56a50085c59a38820925a63fef792e28a5d093bd538d9a6", AuditRecordFormat.Sha256Hex(canonical));
    }

    [Fact]
    public void Head_Bytes_AreFrozen()
    {
        Assert.Equal(
            "{\"v\":1,\"seq\":7,\"hash\":\"a8440f229da4cd76fdc747f577a682a1f54d8d6ab3810647ee9716770f342231\"}\n",
            Encoding.ASCII.GetString(new AuditHead(7, AuditRecordFormat.GenesisHash).ToBytes()));
    }

    [Fact]
    public void Paths_AreFrozen()
    {
        var paths = new AuditPaths("/data/audit");

        Assert.Equal("audit", AuditLog.DirectoryName);
        Assert.Equal("/data/audit/log.jsonl", paths.Log);
        Assert.Equal("/data/audit/head", paths.Head);
        Assert.Equal("/data/audit/lock", paths.Lock);
        Assert.Equal("audit:recovered-torn-tail", AuditLog.RecoveredTornTailOperation);
        Assert.Equal("ztdr-vault", AuditLog.VaultPrincipal);
    }

    [Fact]
    public void DefectKind_Numbers_AreFrozen()
    {
        Assert.Equal(
            [1, 2, 3, 4, 5, 6, 7, 8, 9],
            Enum.GetValues<AuditDefectKind>().Select(kind => (int)kind));
        Assert.Equal(
            ["Unparsable", "Edited", "Removed", "Reordered", "ChainBroken", "TailCut", "TornTail", "HeadMismatch", "HeadMissing"],
            Enum.GetNames<AuditDefectKind>());
    }
}
