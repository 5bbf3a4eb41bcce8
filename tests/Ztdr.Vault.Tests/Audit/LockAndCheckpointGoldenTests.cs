using System.Security.Cryptography;
using System.Text;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Tests.Audit;

/// <summary>
/// Freezes the lock field of version 2 records and the checkpoint format (docs/audit-format.md, "Lock state" and
/// "Checkpoints"). The expected hash and the signature were computed outside .NET (Python's hashlib, OpenSSL), so a
/// verifier in another language is held to the same bytes. A failure means a new format version, never a new expectation.
/// </summary>
public sealed class LockAndCheckpointGoldenTests
{
    /// <summary>An OpenSSL-made P-256 key; the test signature below was made with its private half by <c>openssl dgst -sha256 -sign</c>.</summary>
    private const string OpenSslPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1YERC1Z9o0nJAdmO/vy6d0hzbP+T
        EEGe6uCw0guq31pr/00XRAW/jlgigLugyiNnAn79dUsJFvaj2AmA3h5Oww==
        -----END PUBLIC KEY-----
        """;

    private const string OpenSslCheckpoint =
        "{\"v\":1,\"seq\":1,\"hash\":\"4c0899de51882618f4685e071f448989ad0d017501da9b76774044fea03c3d42\",\"time\":\"2026-12-07T12:00:00.0000000Z\","
        + "\"key\":\"45bf179e5b4a0363c7808f1a4c677baa786603fb8aeff4daf84eeb4f174ef6ee\","
        + "\"sig\":\"ytvrLVrBsCw+XGa82BDX9IrfKqWo4NHsoC5ofW8kXv7yP715NfgNUmihe8hnEGkcdSl4grJhYaL+j5FUbgbnxw==\"}";

    private static readonly AuditEvent KnownLocked = new(
        new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_012),
        "AKIDEXAMPLE",
        "PutObject",
        "backups",
        "data/00/pack-01",
        "0f1e2d3c",
        "allowed",
        "192.0.2.10",
        "req-1")
    {
        Lock = new AuditLock(AuditLockChange.Set, LockMode.Compliance, 1_767_323_045_678, true),
    };

    [Fact]
    public void Create_KnownLockRecord_IsVersion2AndHashAndLineAreFrozen()
    {
        var (record, line) = AuditRecordFormat.Create(1, AuditRecordFormat.GenesisHash, KnownLocked);

        Assert.Equal("7e58ecd91e3e88cf5d5a3a33123537c10db3761187deab68fa9a51ef83af5a69", record.Hash);
        Assert.Equal(
            "{\"v\":2,\"seq\":1,\"time\":\"2025-01-02T03:04:05.6789012Z\",\"principal\":\"AKIDEXAMPLE\",\"operation\":\"PutObject\","
            + "\"bucket\":\"backups\",\"key\":\"data/00/pack-01\",\"versionId\":\"0f1e2d3c\",\"outcome\":\"allowed\","
            + "\"source\":\"192.0.2.10\",\"requestId\":\"req-1\",\"lock\":\"set mode=COMPLIANCE until=2026-01-02T03:04:05.678Z hold=on\","
            + "\"prev\":\"a8440f229da4cd76fdc747f577a682a1f54d8d6ab3810647ee9716770f342231\","
            + "\"hash\":\"7e58ecd91e3e88cf5d5a3a33123537c10db3761187deab68fa9a51ef83af5a69\"}\n",
            Encoding.UTF8.GetString(line));
        Assert.True(AuditRecordFormat.TryParse(line.AsSpan(0, line.Length - 1), out var parsed, out var error), error);
        Assert.Equal(record, parsed);
    }

    [Theory]
    [InlineData(AuditLockChange.Set, LockMode.Governance, 0L, false, false, "set mode=GOVERNANCE until=1970-01-01T00:00:00.000Z hold=off")]
    [InlineData(AuditLockChange.Set, null, null, null, false, "set mode=- until=- hold=-")]
    [InlineData(AuditLockChange.Removed, LockMode.Compliance, 1_767_323_045_678L, null, false, "removed mode=COMPLIANCE until=2026-01-02T03:04:05.678Z hold=-")]
    [InlineData(AuditLockChange.Removed, LockMode.Governance, 1_767_323_045_678L, false, true, "removed mode=GOVERNANCE until=2026-01-02T03:04:05.678Z hold=off bypass")]
    public void ToString_EachLockState_IsFrozenAndParsesBack(AuditLockChange change, LockMode? mode, long? until, bool? hold, bool bypass, string expected)
    {
        var value = new AuditLock(change, mode, until, hold, bypass);

        Assert.Equal(expected, value.ToString());
        Assert.True(AuditLock.TryParse(expected, out var parsed));
        Assert.Equal(value, parsed);
    }

    [Theory]
    [InlineData("set mode=COMPLIANCE until=2026-01-02T03:04:05Z hold=on")]
    [InlineData("set mode=COMPLIANCE until=- hold=on")]
    [InlineData("set mode=compliance until=2026-01-02T03:04:05.678Z hold=on")]
    [InlineData("set mode=- until=- hold=- bypass")]
    [InlineData("set  mode=- until=- hold=-")]
    [InlineData("kept mode=- until=- hold=-")]
    public void TryParse_LockFieldNotInItsOneSpelling_IsRefused(string text)
    {
        Assert.False(AuditLock.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Version1RecordWithLockOrVersion2WithoutIt_IsRefused()
    {
        var (_, line) = AuditRecordFormat.Create(1, AuditRecordFormat.GenesisHash, KnownLocked);
        var text = Encoding.UTF8.GetString(line).TrimEnd('\n');

        Assert.False(AuditRecordFormat.TryParse(Encoding.UTF8.GetBytes(text.Replace("\"v\":2", "\"v\":1", StringComparison.Ordinal)), out _, out _));
        var withoutLock = text.Replace(",\"lock\":\"set mode=COMPLIANCE until=2026-01-02T03:04:05.678Z hold=on\"", string.Empty, StringComparison.Ordinal);
        Assert.False(AuditRecordFormat.TryParse(Encoding.UTF8.GetBytes(withoutLock), out _, out _));
    }

    [Fact]
    public void VerifiedBy_CheckpointSignedByOpenSsl_Verifies()
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(OpenSslPublicKey);

        Assert.True(AuditCheckpoint.TryParse(OpenSslCheckpoint, out var checkpoint));
        Assert.Equal("45bf179e5b4a0363c7808f1a4c677baa786603fb8aeff4daf84eeb4f174ef6ee", CheckpointKey.FingerprintOf(key));
        Assert.Equal(
            "ztdr-vault audit checkpoint v1\nseq=1\nhash=4c0899de51882618f4685e071f448989ad0d017501da9b76774044fea03c3d42\n"
            + "time=2026-12-07T12:00:00.0000000Z\nkey=45bf179e5b4a0363c7808f1a4c677baa786603fb8aeff4daf84eeb4f174ef6ee\n",
            Encoding.ASCII.GetString(checkpoint!.SignedBytes()));
        Assert.True(checkpoint.VerifiedBy(key));
        Assert.Equal(OpenSslCheckpoint, checkpoint.ToLine());
    }

    [Fact]
    public void VerifiedBy_AnyFieldChanged_DoesNotVerify()
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(OpenSslPublicKey);
        Assert.True(AuditCheckpoint.TryParse(OpenSslCheckpoint, out var checkpoint));

        Assert.False((checkpoint! with { Sequence = 2 }).VerifiedBy(key));
        Assert.False((checkpoint with { Hash = new string('0', 64) }).VerifiedBy(key));
        Assert.False((checkpoint with { Time = checkpoint.Time.AddTicks(1) }).VerifiedBy(key));
        Assert.False((checkpoint with { Signature = "AAAA" }).VerifiedBy(key));
    }
}
