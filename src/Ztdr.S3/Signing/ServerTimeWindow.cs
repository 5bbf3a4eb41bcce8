namespace Ztdr.S3.Signing;

/// <summary>
/// What a server knows about the true time when it judges a request's time: it lies between <see cref="Earliest"/> and
/// <see cref="Latest"/>, and <see cref="Estimate"/> is the server's best guess. A server that trusts one clock has all
/// three equal. A server that trusts a clock which can only lag (ztdr-vault's trusted time does not count its own
/// downtime) has a window. A request time is refused when it is wrong for every time in the window: older than
/// <see cref="Earliest"/> minus the skew, or newer than <see cref="Latest"/> plus the skew. A presigned URL's expiry is
/// a promise to whoever issued it that it stops working, so it is judged against <see cref="Estimate"/>.
/// </summary>
public readonly record struct ServerTimeWindow
{
    public ServerTimeWindow(DateTimeOffset earliest, DateTimeOffset estimate, DateTimeOffset latest)
    {
        if (estimate < earliest || latest < estimate)
        {
            throw new ArgumentOutOfRangeException(nameof(estimate), "The window must hold earliest <= estimate <= latest.");
        }

        Earliest = earliest;
        Estimate = estimate;
        Latest = latest;
    }

    public DateTimeOffset Earliest { get; }

    public DateTimeOffset Estimate { get; }

    public DateTimeOffset Latest { get; }

    /// <summary>A window of one instant: a server that trusts one clock.</summary>
    public static ServerTimeWindow At(DateTimeOffset now) => new(now, now, now);
}
