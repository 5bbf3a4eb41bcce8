namespace Ztdr.S3.Tests.Signing;

/// <summary>A clock that says what the test tells it to: no sleeps, no flakiness.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
