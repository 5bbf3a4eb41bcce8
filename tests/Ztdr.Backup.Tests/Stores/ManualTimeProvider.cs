namespace Ztdr.Backup.Tests.Stores;

/// <summary>A clock that moves only when a test says so: retention expiry is tested without sleeps.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
