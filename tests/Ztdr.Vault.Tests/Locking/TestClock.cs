namespace Ztdr.Vault.Tests.Locking;

/// <summary>
/// A clock whose wall time and monotonic time move separately, as they do on a real machine when someone sets the system
/// clock: <see cref="SetWall"/> moves only the wall clock, <see cref="Run"/> lets real time pass (both move),
/// <see cref="AdvanceMonotonicOnly"/> moves only the monotonic clock (a wall clock that is frozen or was set back meanwhile).
/// A new instance is a reboot: its monotonic counter starts again from an arbitrary value.
/// </summary>
internal sealed class TestClock(DateTimeOffset wall, long monotonicStart = 1_000_000_000) : TimeProvider
{
    private DateTimeOffset _wall = wall;
    private long _ticks = monotonicStart;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _wall;

    public override long GetTimestamp() => _ticks;

    public void Run(TimeSpan elapsed)
    {
        _wall += elapsed;
        _ticks += elapsed.Ticks;
    }

    public void SetWall(DateTimeOffset wall) => _wall = wall;

    public void AdvanceMonotonicOnly(TimeSpan elapsed) => _ticks += elapsed.Ticks;
}
