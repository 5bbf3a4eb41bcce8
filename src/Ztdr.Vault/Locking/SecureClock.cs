namespace Ztdr.Vault.Locking;

/// <summary>
/// Trusted time for retention decisions (ARCHITECTURE.md "Secure clock"). Trusted time is the persisted value it resumed
/// from plus the monotonic time elapsed since this process started, so it never moves backwards, advances exactly as fast
/// as the monotonic clock, and does not count downtime: setting the wall clock forward, with the vault running or stopped,
/// expires nothing early. The wall clock is only read to report drift.
/// </summary>
/// <remarks>
/// When an existing vault has no readable record (deleted, damaged), time cannot be trusted: <see cref="Now"/> then runs
/// from the wall clock at start, but is marked untrusted, so every retention counts as unexpired (fail closed), and
/// <see cref="Persist"/> writes nothing — otherwise a restart would turn an attacker-chosen wall clock into trusted time.
/// Regaining trust is a deliberate operator act, outside this type.
/// Thread-safe: <see cref="Now"/> reads only immutable state.
/// </remarks>
public sealed class SecureClock
{
    private readonly TimeProvider _time;
    private readonly ITrustedTimeStore _store;
    private readonly TimeSpan _driftThreshold;
    private readonly long _startTimestamp;
    private readonly TimeSpan _driftAtStart;
    private readonly Lock _persistLock = new();

    /// <summary>
    /// Resumes an existing vault's trusted time from <paramref name="store"/>. <paramref name="time"/> gives both clocks:
    /// the wall clock (GetUtcNow) and the monotonic one (GetTimestamp). <paramref name="driftThreshold"/> is how far the
    /// wall clock may move against trusted time while running before <see cref="DriftExceeded"/> reports it.
    /// </summary>
    public SecureClock(TimeProvider time, ITrustedTimeStore store, TimeSpan driftThreshold)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(driftThreshold, TimeSpan.Zero);
        _time = time;
        _store = store;
        _driftThreshold = driftThreshold;

        // Both readings first, together, so the drift at start is not skewed by the time Load takes.
        _startTimestamp = time.GetTimestamp();
        var wallAtStart = time.GetUtcNow();
        var record = TryLoad(store, out var reason);
        IsTrusted = record is not null;
        UntrustedReason = reason;
        ResumedFrom = record?.TrustedTime.ToUniversalTime() ?? wallAtStart;
        _driftAtStart = wallAtStart - ResumedFrom;
    }

    /// <summary>The trusted time this run started from: the persisted value, or the wall clock when untrusted.</summary>
    public DateTimeOffset ResumedFrom { get; }

    public bool IsTrusted { get; }

    /// <summary>Why the clock is untrusted (for health and audit); null when trusted.</summary>
    public string? UntrustedReason { get; }

    /// <summary>Trusted time: <see cref="ResumedFrom"/> plus monotonic time elapsed since start.</summary>
    public TrustedInstant Now => new(ResumedFrom + _time.GetElapsedTime(_startTimestamp), IsTrusted);

    /// <summary>Wall minus trusted time (positive: the wall clock is ahead, as after downtime).</summary>
    public TimeSpan Drift => _time.GetUtcNow() - Now.Now;

    /// <summary>
    /// The wall clock moved against trusted time by more than the threshold while this process ran (set forward or back,
    /// or running at another rate). Drift present at start (downtime) does not count.
    /// </summary>
    public bool DriftExceeded => (Drift - _driftAtStart).Duration() > _driftThreshold;

    /// <summary>
    /// A new vault: trusted time starts at the wall clock and is saved at once. Only for initialising a vault: on an
    /// existing one it would discard the trusted time.
    /// </summary>
    public static SecureClock Initialize(TimeProvider time, ITrustedTimeStore store, TimeSpan driftThreshold)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(store);
        var wall = time.GetUtcNow();
        store.Save(new TrustedTimeRecord(wall, wall));
        return new SecureClock(time, store, driftThreshold);
    }

    /// <summary>
    /// Saves the current trusted time (callers persist periodically, e.g. every 10 s, and at shutdown; the time lost in a
    /// crash is at most one period, and is lost in the safe direction: retention runs that much longer).
    /// Does nothing while untrusted (see the type's remarks).
    /// </summary>
    public void Persist()
    {
        if (!IsTrusted)
        {
            return;
        }

        // Serialised so that two callers cannot save an older reading over a newer one.
        lock (_persistLock)
        {
            _store.Save(new TrustedTimeRecord(Now.Now, _time.GetUtcNow()));
        }
    }

    private static TrustedTimeRecord? TryLoad(ITrustedTimeStore store, out string? reason)
    {
        try
        {
            var record = store.Load();
            reason = record is null ? "No trusted time was persisted for this vault." : null;
            return record;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            reason = $"The persisted trusted time cannot be read: {e.Message}";
            return null;
        }
    }
}
