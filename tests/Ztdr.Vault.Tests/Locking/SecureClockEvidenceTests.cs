using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>
/// The secure clock as the judge of request times (where true time can lie, given that trusted time does not count
/// downtime), and the evidence it checks its persisted record against at start.
/// </summary>
public sealed class SecureClockEvidenceTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(5);
    private static readonly VersionLockState LockedForOneDay = new(new Retention(LockMode.Compliance, Start.AddDays(1)), null, false);

    private static InMemoryTrustedTimeStore SavedAt(DateTimeOffset trusted)
    {
        var store = new InMemoryTrustedTimeStore();
        store.Save(new TrustedTimeRecord(trusted, trusted));
        return store;
    }

    [Fact]
    public void RequestTimeWindow_RestartedAfterOneHourDown_SpansTrustedTimeToWallClock()
    {
        var clock = new SecureClock(new TestClock(Start.AddHours(1)), SavedAt(Start), Threshold);

        var window = clock.RequestTimeWindow();

        Assert.Equal((Start, Start.AddHours(1), Start.AddHours(1)), (window.Earliest, window.Estimate, window.Latest));
        Assert.False(clock.WallClockJumpedAtStart);
        Assert.Equal(Start.AddHours(1), clock.BestEstimate);
    }

    [Fact]
    public void RequestTimeWindow_RestartedWithWallClockTenYearsAhead_IsCappedAndTheJumpReported()
    {
        var clock = new SecureClock(new TestClock(Start.AddYears(10)), SavedAt(Start), Threshold);

        var window = clock.RequestTimeWindow();

        Assert.True(clock.IsTrusted);
        Assert.True(clock.WallClockJumpedAtStart);
        Assert.Equal((Start, Start, Start + SecureClockSettings.MaxExplainedDowntime), (window.Earliest, window.Estimate, window.Latest));
        Assert.Equal(Start, clock.BestEstimate);   // the implausible wall clock is never shown to clients
        Assert.True(LockEngine.IsProtected(LockedForOneDay, clock.Now));
    }

    [Fact]
    public void RequestTimeWindow_RestartedWithWallClockBehindTrustedTime_IsTheJumpReportedAndStartsAtTrustedTime()
    {
        var clock = new SecureClock(new TestClock(Start.AddYears(-5)), SavedAt(Start), Threshold);

        var window = clock.RequestTimeWindow();

        Assert.True(clock.WallClockJumpedAtStart);
        Assert.Equal((Start, Start), (window.Earliest, window.Latest));
    }

    [Fact]
    public void RequestTimeWindow_WallClockSetBackWhileRunning_KeepsTheDowntimeSeenAtStart()
    {
        var time = new TestClock(Start.AddHours(1));
        var clock = new SecureClock(time, SavedAt(Start), Threshold);
        time.Run(TimeSpan.FromMinutes(10));

        time.SetWall(Start.AddYears(-1));

        // Honest clients are still an hour ahead of trusted time; setting the host's clock back does not refuse them.
        Assert.Equal(Start.AddMinutes(70), clock.RequestTimeWindow().Latest);
        Assert.Equal(Start.AddMinutes(70), clock.BestEstimate);
        Assert.True(clock.DriftExceeded);
    }

    [Fact]
    public void RequestTimeWindow_WallClockTenYearsAheadWhileRunning_IsCapped()
    {
        var time = new TestClock(Start);
        var clock = new SecureClock(time, SavedAt(Start), Threshold);

        time.SetWall(Start.AddYears(10));

        Assert.Equal(Start + SecureClockSettings.MaxExplainedDowntime, clock.RequestTimeWindow().Latest);
        Assert.Equal(Start, clock.BestEstimate);
    }

    [Fact]
    public void Restart_ClockRecordTenYearsAheadOfTheAuditChain_IsUntrustedFromTheChainAndFailsClosed()
    {
        // The clock file edited to a well-formed time ten years ahead, and the wall clock set to match.
        var store = SavedAt(Start.AddYears(10));
        var evidence = new ClockEvidence(LastAuditRecord: Start, NewestDataFile: Start);

        var clock = new SecureClock(new TestClock(Start.AddYears(10)), store, Threshold, evidence);

        Assert.False(clock.IsTrusted);
        Assert.Contains("audit chain", clock.UntrustedReason, StringComparison.Ordinal);
        Assert.Equal(new TrustedInstant(Start, false), clock.Now);   // runs from the chain's last record, not the wall
        Assert.True(LockEngine.IsProtected(LockedForOneDay, clock.Now with { Now = Start.AddYears(11) }));
    }

    [Fact]
    public void Restart_ClockRecordWithinACheckpointOfTheAuditChain_IsTrusted()
    {
        var persisted = Start + SecureClockSettings.CheckpointInterval + SecureClockSettings.PersistInterval;
        var evidence = new ClockEvidence(LastAuditRecord: Start, NewestDataFile: null);

        var clock = new SecureClock(new TestClock(persisted.AddMinutes(5)), SavedAt(persisted), Threshold, evidence);

        Assert.True(clock.IsTrusted);
        Assert.Equal(persisted, clock.Now.Now);
    }

    [Fact]
    public void Restart_ClockRecordJustBeyondACheckpointOfTheAuditChain_IsUntrusted()
    {
        var persisted = Start + SecureClockSettings.CheckpointInterval + SecureClockSettings.PersistInterval + Threshold + TimeSpan.FromTicks(1);
        var evidence = new ClockEvidence(LastAuditRecord: Start, NewestDataFile: null);

        var clock = new SecureClock(new TestClock(persisted), SavedAt(persisted), Threshold, evidence);

        Assert.False(clock.IsTrusted);
    }

    [Fact]
    public void Restart_ClockRecordBehindTheAuditChain_ResumesFromTheChainNeverBackwards()
    {
        // A clock file restored from an old copy: trusted time resumes from what the chain already witnessed.
        var evidence = new ClockEvidence(LastAuditRecord: Start.AddDays(2), NewestDataFile: null);

        var clock = new SecureClock(new TestClock(Start.AddDays(2)), SavedAt(Start), Threshold, evidence);

        Assert.True(clock.IsTrusted);
        Assert.Equal(Start.AddDays(2), clock.Now.Now);
    }

    [Fact]
    public void Restart_EmptyAuditChain_TrustsTheRecord()
    {
        var clock = new SecureClock(new TestClock(Start), SavedAt(Start), Threshold, new ClockEvidence(null, null));

        Assert.True(clock.IsTrusted);
    }

    [Fact]
    public void Restart_WallClockBehindTheNewestDataFile_IsTheJumpReported()
    {
        // Trusted time lags the wall clock by a day of downtime, which hides a wall clock set back by hours; the data
        // files' times do not.
        var store = new InMemoryTrustedTimeStore();
        store.Save(new TrustedTimeRecord(Start, Start.AddDays(1)));
        var evidence = new ClockEvidence(LastAuditRecord: Start, NewestDataFile: Start.AddDays(1));

        var clock = new SecureClock(new TestClock(Start.AddHours(20)), store, Threshold, evidence);

        Assert.True(clock.IsTrusted);
        Assert.True(clock.WallClockJumpedAtStart);
    }
}
