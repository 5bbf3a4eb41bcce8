using Ztdr.Vault.Audit;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Scrubbing;

namespace Ztdr.Vault.Tests.Scrubbing;

/// <summary>
/// The replay of lock records: which recorded removals contradict the chain and which stored states are weaker. The
/// end-to-end attacks are in Ztdr.Integration.Tests (RootTamperAttackTests); these pin the judgement itself.
/// </summary>
public sealed class LockLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly long Until = T0.AddDays(1).ToUnixTimeMilliseconds();

    [Theory]
    [InlineData(LockMode.Governance, true, 0, false)]
    [InlineData(LockMode.Governance, false, 0, true)]
    [InlineData(LockMode.Compliance, true, 0, true)]
    [InlineData(LockMode.Compliance, false, 2, false)]
    public void Apply_RemovalRecordedWithTheChainsOwnState_IsTamperingOnlyWhileTheLockStillProtects(LockMode mode, bool bypass, int daysLater, bool expected)
    {
        var ledger = new LockLedger();
        ledger.Apply(Record(1, T0, new AuditLock(AuditLockChange.Set, mode, Until, null)));

        var finding = ledger.Apply(Record(2, T0.AddDays(daysLater), new AuditLock(AuditLockChange.Removed, mode, Until, null, bypass)));

        Assert.Equal(expected, finding is not null);
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public void Apply_RemovalWhereTheStoreHeldAnEarlierDate_IsTamperingEvenAfterTheChainsDate()
    {
        var ledger = new LockLedger();
        ledger.Apply(Record(1, T0, new AuditLock(AuditLockChange.Set, LockMode.Compliance, Until, null)));

        // The lock had run out by the time of the delete, but the store said 1970 when it was judged: someone edited it.
        var finding = ledger.Apply(Record(2, T0.AddDays(2), new AuditLock(AuditLockChange.Removed, LockMode.Compliance, 0, null)));

        Assert.NotNull(finding);
        Assert.Equal(ScrubProblem.Tampering, finding.Problem);
        Assert.Contains("retain-until moved earlier", finding.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_LaterSetRecords_KeepOnlyTheLatestStateAndForgetReleasedVersions()
    {
        var ledger = new LockLedger();
        ledger.Apply(Record(1, T0, new AuditLock(AuditLockChange.Set, LockMode.Compliance, Until, true)));
        ledger.Apply(Record(2, T0, new AuditLock(AuditLockChange.Set, LockMode.Compliance, Until + 1000, false)));

        Assert.True(ledger.TryGet(LockLedger.Id("backups", "k", "v1"), out var state));
        Assert.Equal((LockMode.Compliance, Until + 1000, false, 2L), (state.Mode, state.RetainUntilMs, state.LegalHold, state.Sequence));

        ledger.Apply(Record(3, T0, new AuditLock(AuditLockChange.Set, null, null, false)));
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public void Apply_DeniedOrUnlockedRecords_AreIgnored()
    {
        var ledger = new LockLedger();
        ledger.Apply(Record(1, T0, new AuditLock(AuditLockChange.Set, LockMode.Compliance, Until, null)));
        var denied = Record(2, T0, new AuditLock(AuditLockChange.Removed, null, null, null));
        var finding = ledger.Apply(denied with { Event = denied.Event with { Outcome = "denied:AccessDenied" } });

        Assert.Null(finding);
        Assert.Equal(1, ledger.Count);
    }

    [Theory]
    [InlineData(LockMode.Compliance, 0L, true, "retain-until moved earlier")]
    [InlineData(LockMode.Governance, 1L, true, "mode changed from COMPLIANCE to GOVERNANCE")]
    [InlineData(LockMode.Compliance, 1L, false, "legal hold dropped")]
    [InlineData((LockMode)7, 1L, true, "mode changed from COMPLIANCE to 7")]
    public void Weakening_StoredStateWeaker_NamesWhatWasWeakened(LockMode storedMode, long storedUntilOffset, bool storedHold, string expected)
    {
        var chain = new ExpectedLock(LockMode.Compliance, Until, true, 1);
        var stored = new Retention(storedMode, DateTimeOffset.FromUnixTimeMilliseconds(storedUntilOffset == 0 ? 0 : Until + storedUntilOffset));

        Assert.Contains(expected, LockLedger.Weakening(chain, stored, storedHold), StringComparison.Ordinal);
    }

    [Fact]
    public void Weakening_StoredStateStronger_IsNotReported()
    {
        var chain = new ExpectedLock(LockMode.Governance, Until, false, 1);

        Assert.Null(LockLedger.Weakening(chain, new Retention(LockMode.Compliance, DateTimeOffset.FromUnixTimeMilliseconds(Until + 1)), true));
        Assert.NotNull(LockLedger.Weakening(chain, null, null));
    }

    private static AuditRecord Record(long sequence, DateTimeOffset time, AuditLock lockState) =>
        new(sequence, AuditRecordFormat.GenesisHash, new AuditEvent(time, "AKID", "X", "backups", "k", "v1", "allowed", "local", null) { Lock = lockState }, AuditRecordFormat.GenesisHash);
}
