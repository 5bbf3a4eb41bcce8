using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tests.Tls;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>
/// The secure clock against a clock whose wall and monotonic times move separately: what an attacker who can set the
/// system clock, or stop the vault, or delete its clock file, can do to retention — nothing.
/// </summary>
public sealed class SecureClockTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(5);

    /// <summary>Retention that ends one day after <see cref="Start"/>.</summary>
    private static readonly VersionLockState LockedForOneDay = new(new Retention(LockMode.Compliance, Start.AddDays(1)), null, false);

    [Fact]
    public void Initialize_NewVault_StartsTrustedAtWallTimeAndSaves()
    {
        var store = new InMemoryTrustedTimeStore();

        var clock = SecureClock.Initialize(new TestClock(Start), store, Threshold);

        Assert.True(clock.IsTrusted);
        Assert.Null(clock.UntrustedReason);
        Assert.Equal(new TrustedInstant(Start, true), clock.Now);
        Assert.Equal(new TrustedTimeRecord(Start, Start), store.Load());
    }

    [Fact]
    public void Now_RealTimePasses_AdvancesWithIt()
    {
        var time = new TestClock(Start);
        var clock = SecureClock.Initialize(time, new InMemoryTrustedTimeStore(), Threshold);

        time.Run(TimeSpan.FromHours(25));

        Assert.Equal(Start.AddHours(25), clock.Now.Now);
        Assert.Equal(TimeSpan.Zero, clock.Drift);
        Assert.False(clock.DriftExceeded);
        Assert.False(LockEngine.IsProtected(LockedForOneDay, clock.Now));
    }

    [Fact]
    public void Now_WallClockJumpsTenYearsForward_ChangesNothing()
    {
        var time = new TestClock(Start);
        var clock = SecureClock.Initialize(time, new InMemoryTrustedTimeStore(), Threshold);
        time.Run(TimeSpan.FromMinutes(1));

        time.SetWall(Start.AddYears(10));

        Assert.Equal(new TrustedInstant(Start.AddMinutes(1), true), clock.Now);
        Assert.True(LockEngine.IsProtected(LockedForOneDay, clock.Now));
        Assert.Equal(Start.AddYears(10) - Start.AddMinutes(1), clock.Drift);
        Assert.True(clock.DriftExceeded);
    }

    [Fact]
    public void Now_WallClockSetBack_ChangesNothing()
    {
        var time = new TestClock(Start);
        var clock = SecureClock.Initialize(time, new InMemoryTrustedTimeStore(), Threshold);
        time.Run(TimeSpan.FromHours(2));

        time.SetWall(Start.AddYears(-1));

        Assert.Equal(Start.AddHours(2), clock.Now.Now);
        Assert.True(clock.Drift < TimeSpan.Zero);
        Assert.True(clock.DriftExceeded);
    }

    [Fact]
    public void Now_MonotonicAdvancesAlone_AdvancesTrustedTime()
    {
        var time = new TestClock(Start);
        var clock = SecureClock.Initialize(time, new InMemoryTrustedTimeStore(), Threshold);

        time.AdvanceMonotonicOnly(TimeSpan.FromDays(2));

        Assert.Equal(Start.AddDays(2), clock.Now.Now);
        Assert.Equal(TimeSpan.FromDays(-2), clock.Drift);
        Assert.False(LockEngine.IsProtected(LockedForOneDay, clock.Now));
    }

    [Fact]
    public void DriftExceeded_WallMovesWithinThreshold_IsFalse()
    {
        var time = new TestClock(Start);
        var clock = SecureClock.Initialize(time, new InMemoryTrustedTimeStore(), Threshold);

        time.SetWall(Start.AddSeconds(5));

        Assert.False(clock.DriftExceeded);
        time.SetWall(Start.AddSeconds(-5));
        Assert.False(clock.DriftExceeded);
        time.SetWall(Start.AddSeconds(5.001));
        Assert.True(clock.DriftExceeded);
    }

    [Fact]
    public void Restart_AfterDowntime_ResumesFromPersistedValueWithoutCountingDowntime()
    {
        var store = new InMemoryTrustedTimeStore();
        var before = new TestClock(Start);
        var first = SecureClock.Initialize(before, store, Threshold);
        before.Run(TimeSpan.FromHours(1));
        first.Persist();

        // Thirty days down; after the reboot the monotonic counter starts again from a small value.
        var after = new TestClock(Start.AddHours(1).AddDays(30), monotonicStart: 42);
        var second = new SecureClock(after, store, Threshold);

        Assert.True(second.IsTrusted);
        Assert.Equal(new TrustedInstant(Start.AddHours(1), true), second.Now);
        Assert.True(LockEngine.IsProtected(LockedForOneDay, second.Now));
        Assert.Equal(TimeSpan.FromDays(30), second.Drift);
        Assert.False(second.DriftExceeded);   // drift present at start is downtime, not a clock moved while running

        after.Run(TimeSpan.FromMinutes(30));
        Assert.Equal(Start.AddHours(1.5), second.Now.Now);
    }

    [Fact]
    public void Restart_WallClockTenYearsAheadWhileDown_ExpiresNothing()
    {
        var store = new InMemoryTrustedTimeStore();
        SecureClock.Initialize(new TestClock(Start), store, Threshold);

        var clock = new SecureClock(new TestClock(Start.AddYears(10)), store, Threshold);

        Assert.Equal(new TrustedInstant(Start, true), clock.Now);
        Assert.True(LockEngine.IsProtected(LockedForOneDay, clock.Now));
    }

    [Fact]
    public void Restart_Repeatedly_CountsOnlyTheTimeRunning()
    {
        var store = new InMemoryTrustedTimeStore();
        var time = new TestClock(Start);
        var clock = SecureClock.Initialize(time, store, Threshold);
        foreach (var hours in new[] { 1, 2, 3 })
        {
            time.Run(TimeSpan.FromHours(hours));
            clock.Persist();
            time = new TestClock(time.GetUtcNow().AddDays(7), monotonicStart: hours);
            clock = new SecureClock(time, store, Threshold);
        }

        Assert.Equal(Start.AddHours(6), clock.Now.Now);
    }

    [Fact]
    public void Restart_WallClockBehindPersistedValue_NeverMovesBackwards()
    {
        var store = new InMemoryTrustedTimeStore();
        store.Save(new TrustedTimeRecord(Start, Start));

        var clock = new SecureClock(new TestClock(Start.AddYears(-5)), store, Threshold);

        Assert.Equal(Start, clock.Now.Now);
        Assert.True(clock.IsTrusted);
    }

    [Fact]
    public void Persist_AfterRunning_SavesTrustedAndWallTime()
    {
        var store = new InMemoryTrustedTimeStore();
        var time = new TestClock(Start);
        var clock = SecureClock.Initialize(time, store, Threshold);
        time.Run(TimeSpan.FromSeconds(10));
        time.SetWall(Start.AddDays(3));

        clock.Persist();

        Assert.Equal(new TrustedTimeRecord(Start.AddSeconds(10), Start.AddDays(3)), store.Load());
    }

    [Fact]
    public void Restart_RecordMissingOnExistingVault_IsUntrustedAndFailsClosed()
    {
        var store = new InMemoryTrustedTimeStore();
        var clock = new SecureClock(new TestClock(Start.AddYears(10)), store, Threshold);

        Assert.False(clock.IsTrusted);
        Assert.NotNull(clock.UntrustedReason);
        Assert.Equal(new TrustedInstant(Start.AddYears(10), false), clock.Now);   // the wall clock, marked untrusted
        Assert.True(LockEngine.IsProtected(LockedForOneDay, clock.Now));
        Assert.NotNull(LockEngine.CheckDeleteVersion(LockedForOneDay, true, true, clock.Now));
    }

    [Fact]
    public void Restart_RecordDamaged_IsUntrustedAndFailsClosed()
    {
        var store = new InMemoryTrustedTimeStore();
        SecureClock.Initialize(new TestClock(Start), store, Threshold);
        store.Damage();

        var clock = new SecureClock(new TestClock(Start.AddYears(10)), store, Threshold);

        Assert.False(clock.IsTrusted);
        Assert.Contains("damaged", clock.UntrustedReason, StringComparison.Ordinal);
        Assert.True(LockEngine.IsProtected(LockedForOneDay, clock.Now));
    }

    [Fact]
    public void Persist_WhileUntrusted_SavesNothingSoTrustIsNeverLaunderedFromTheWallClock()
    {
        // Attack: delete the clock file, set the wall clock ten years ahead, restart twice. If the untrusted run saved its
        // wall-based time, the second restart would trust it and every retention would have expired.
        var store = new InMemoryTrustedTimeStore();
        var untrusted = new SecureClock(new TestClock(Start.AddYears(10)), store, Threshold);

        untrusted.Persist();
        var next = new SecureClock(new TestClock(Start.AddYears(10)), store, Threshold);

        Assert.Equal(0, store.Saves);
        Assert.False(next.IsTrusted);
        Assert.True(LockEngine.IsProtected(LockedForOneDay, next.Now));
    }

    [Fact]
    public void Restart_FileStore_ResumesFromTheFile()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("meta", "clock.json");
        Directory.CreateDirectory(folder.Combine("meta"));
        var time = new TestClock(Start);
        var clock = SecureClock.Initialize(time, new FileTrustedTimeStore(path), Threshold);
        time.Run(TimeSpan.FromTicks(36_000_000_001));   // one hour and 100 ns: nothing below a millisecond is lost either
        clock.Persist();

        var resumed = new SecureClock(new TestClock(Start.AddYears(10)), new FileTrustedTimeStore(path), Threshold);

        Assert.Equal(new TrustedInstant(Start.AddTicks(36_000_000_001), true), resumed.Now);
    }

    [Fact]
    public void Restart_FileStoreUnreadable_IsUntrusted()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("clock.json");
        Directory.CreateDirectory(path);   // a folder where the file should be: cannot be opened for reading

        var clock = new SecureClock(new TestClock(Start), new FileTrustedTimeStore(path), Threshold);

        Assert.False(clock.IsTrusted);
        Assert.True(LockEngine.IsProtected(LockedForOneDay, clock.Now with { Now = Start.AddYears(1) }));
    }
}
