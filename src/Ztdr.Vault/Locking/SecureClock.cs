using Ztdr.S3.Signing;

namespace Ztdr.Vault.Locking;

/// <summary>
/// Trusted time for retention decisions (ARCHITECTURE.md "Secure clock"). Trusted time is the persisted value it resumed
/// from plus the monotonic time elapsed since this process started, so it never moves backwards, advances exactly as fast
/// as the monotonic clock, and does not count downtime: setting the wall clock forward, with the vault running or stopped,
/// expires nothing early. The wall clock is only read to report drift and to bound how far trusted time may lag
/// (<see cref="Latest"/>), never to move trusted time.
/// </summary>
/// <remarks>
/// When an existing vault has no readable record (deleted, damaged), time cannot be trusted: <see cref="Now"/> then runs
/// from the wall clock at start, but is marked untrusted, so every retention counts as unexpired (fail closed), and
/// <see cref="Persist"/> writes nothing — otherwise a restart would turn an attacker-chosen wall clock into trusted time.
/// The same holds for a record that the evidence given at start (<see cref="ClockEvidence"/>) does not explain: a persisted
/// trusted time further ahead of the audit chain's last record than the vault can have run since (see
/// <see cref="Unexplained"/>). Regaining trust is a deliberate operator act, approved by two admin keys
/// (docs/approvals.md), that ends in <see cref="RestoreTrust"/>.
/// Thread-safe: <see cref="Now"/> reads one immutable epoch, replaced whole when trust is restored.
/// </remarks>
public sealed class SecureClock
{
    private readonly TimeProvider _time;
    private readonly ITrustedTimeStore _store;
    private readonly TimeSpan _driftThreshold;
    private readonly Lock _persistLock = new();
    private volatile Epoch _epoch;

    /// <summary>
    /// Resumes an existing vault's trusted time from <paramref name="store"/>. <paramref name="time"/> gives both clocks:
    /// the wall clock (GetUtcNow) and the monotonic one (GetTimestamp). <paramref name="driftThreshold"/> is how far the
    /// wall clock may move against trusted time while running before <see cref="DriftExceeded"/> reports it.
    /// </summary>
    /// <remarks><paramref name="evidence"/>, when given, is what else on disk tells the time (see the type's remarks).</remarks>
    public SecureClock(TimeProvider time, ITrustedTimeStore store, TimeSpan driftThreshold, ClockEvidence? evidence = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(driftThreshold, TimeSpan.Zero);
        _time = time;
        _store = store;
        _driftThreshold = driftThreshold;

        // Both readings first, together, so the drift at start is not skewed by the time Load takes.
        var startTimestamp = time.GetTimestamp();
        var wallAtStart = time.GetUtcNow();
        var record = TryLoad(store, out var reason);
        if (record is not null && evidence is not null)
        {
            reason = Unexplained(record, evidence, driftThreshold);
            record = reason is null ? record : null;
        }

        var lastWitnessed = evidence?.LastAuditRecord?.ToUniversalTime();

        // Never behind the audit chain: a clock file restored from an older copy must not move trusted time backwards.
        // Untrusted, time runs from the last record the chain witnessed rather than from a wall clock an attacker may set.
        var resumedFrom = record is not null
            ? Max(record.TrustedTime.ToUniversalTime(), lastWitnessed ?? DateTimeOffset.MinValue)
            : lastWitnessed ?? wallAtStart;
        var driftAtStart = wallAtStart - resumedFrom;

        // A wall clock behind the newest data file's write was set back while the vault was stopped, even if trusted
        // time lags enough to hide it.
        var behindData = evidence?.NewestDataFile is { } written && wallAtStart < written.ToUniversalTime() - driftThreshold;
        var jumped = behindData || driftAtStart < -driftThreshold || driftAtStart > SecureClockSettings.MaxExplainedDowntime;

        // How far true time may be ahead of trusted time: the downtime the wall clock showed at start, within bounds.
        var lagAtStart = Clamp(driftAtStart);
        _epoch = new Epoch(startTimestamp, resumedFrom, record is not null, reason, driftAtStart, lagAtStart, jumped ? TimeSpan.Zero : lagAtStart, jumped);
    }

    /// <summary>
    /// The trusted time this run started from: the persisted value (or the audit chain's last record, if later); when
    /// untrusted, the chain's last record, or the wall clock without one.
    /// </summary>
    public DateTimeOffset ResumedFrom => _epoch.ResumedFrom;

    public bool IsTrusted => _epoch.IsTrusted;

    /// <summary>Why the clock is untrusted (for health and audit); null when trusted.</summary>
    public string? UntrustedReason => _epoch.UntrustedReason;

    /// <summary>Trusted time: <see cref="ResumedFrom"/> plus monotonic time elapsed since start.</summary>
    public TrustedInstant Now
    {
        get
        {
            var epoch = _epoch;
            return new(epoch.ResumedFrom + _time.GetElapsedTime(epoch.StartTimestamp), epoch.IsTrusted);
        }
    }

    /// <summary>Wall minus trusted time (positive: the wall clock is ahead, as after downtime).</summary>
    public TimeSpan Drift => _time.GetUtcNow() - Now.Now;

    /// <summary>
    /// The wall clock moved against trusted time by more than the threshold while this process ran (set forward or back,
    /// or running at another rate). Drift present at start (downtime) does not count.
    /// </summary>
    public bool DriftExceeded => (Drift - _epoch.DriftAtStart).Duration() > _driftThreshold;

    /// <summary>Wall minus trusted time when this run started: the downtime, if the wall clock tells the truth.</summary>
    public TimeSpan DriftAtStart => _epoch.DriftAtStart;

    /// <summary>
    /// At start the wall clock was behind trusted time (by more than the drift threshold), or further ahead than any
    /// downtime the vault explains (<see cref="SecureClockSettings.MaxExplainedDowntime"/>): someone set it while the
    /// vault was stopped. Alerted and shown in health; trusted time is not affected.
    /// </summary>
    public bool WallClockJumpedAtStart => _epoch.WallClockJumped;

    /// <summary>
    /// The latest the true time can plausibly be. Trusted time is a lower bound on true time (it does not count downtime),
    /// so honest clients, who sign with the wall clock, may be ahead of it by the vault's downtime. That lag is taken from
    /// the wall clock at start and, while running, from the wall clock now — whichever is larger, each capped at
    /// <see cref="SecureClockSettings.MaxExplainedDowntime"/>. A wall clock set back, or thrown years ahead, therefore
    /// neither refuses honest clients nor lets requests dated years ahead in.
    /// </summary>
    public DateTimeOffset Latest
    {
        get
        {
            var now = Now.Now;
            var lag = Max(_epoch.LagAtStart, Clamp(_time.GetUtcNow() - now));
            return now + lag;
        }
    }

    /// <summary>Where true time lies for judging request times: from trusted time to <see cref="Latest"/>.</summary>
    public ServerTimeWindow RequestTimeWindow()
    {
        var earliest = Now.Now;
        var latest = Latest;
        var estimate = earliest + _epoch.EstimateLag;
        return new(earliest, estimate < latest ? estimate : latest, latest);
    }

    /// <summary>
    /// The vault's best estimate of true time, for the HTTP Date header and presigned-URL expiry: trusted time plus the
    /// downtime the wall clock showed at start, when that was plausible (no jump). It follows the monotonic clock from
    /// there, so setting the wall clock while the vault runs does not move it.
    /// </summary>
    public DateTimeOffset BestEstimate => Now.Now + _epoch.EstimateLag;

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

    /// <summary>
    /// Makes time trusted again from <paramref name="trustedTime"/>, which two admin keys agreed is true time now
    /// (docs/approvals.md), and persists it at once. Trusted time never moves backwards: a value behind the current
    /// (untrusted) time is refused. The wall clock now counts as right, so drift and jump are measured afresh from here.
    /// </summary>
    /// <returns>False when the clock is trusted already (another approval restored it first): nothing changes.</returns>
    /// <exception cref="InvalidOperationException">The value lies behind current time.</exception>
    public bool RestoreTrust(DateTimeOffset trustedTime)
    {
        lock (_persistLock)
        {
            var current = Now;
            if (current.Trusted)
            {
                return false;
            }

            if (trustedTime < current.Now)
            {
                throw new InvalidOperationException($"trusted time never moves backwards: {trustedTime:O} is behind the vault's current time {current.Now:O}");
            }

            var timestamp = _time.GetTimestamp();
            var drift = _time.GetUtcNow() - trustedTime;
            var epoch = new Epoch(timestamp, trustedTime.ToUniversalTime(), true, null, drift, Clamp(drift), Clamp(drift), false);

            // Saved before it takes effect: a crash in between leaves the clock untrusted, the safe side.
            _store.Save(new TrustedTimeRecord(epoch.ResumedFrom, _time.GetUtcNow()));
            _epoch = epoch;
            return true;
        }
    }

    /// <summary>
    /// Why the persisted record cannot be believed, or null. The audit chain's records carry trusted time, and a serving
    /// vault appends one at least every <see cref="SecureClockSettings.CheckpointInterval"/>; so the persisted time can be
    /// ahead of the chain's last record by that interval plus one persist interval (and the slack), not more. Anything
    /// more is a jump nothing explains: an edited or foreign clock file. Data files cannot explain it: their times are
    /// wall times, and a vault may run idle for any time after its last write.
    /// </summary>
    internal static string? Unexplained(TrustedTimeRecord record, ClockEvidence evidence, TimeSpan slack)
    {
        if (evidence.LastAuditRecord is not { } witnessed)
        {
            return null;
        }

        var gap = record.TrustedTime - witnessed;
        var allowed = SecureClockSettings.CheckpointInterval + SecureClockSettings.PersistInterval + slack;
        return gap <= allowed
            ? null
            : $"The persisted trusted time {record.TrustedTime:O} is {gap} ahead of the audit chain's last record ({witnessed:O}), "
              + $"more than the vault can have run since ({allowed}): the clock file was edited or copied from elsewhere.";
    }

    private static TimeSpan Clamp(TimeSpan lag) =>
        lag < TimeSpan.Zero ? TimeSpan.Zero : lag > SecureClockSettings.MaxExplainedDowntime ? SecureClockSettings.MaxExplainedDowntime : lag;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

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

    /// <summary>Everything trusted time is computed from; replaced whole by <see cref="RestoreTrust"/>.</summary>
    private sealed record Epoch(
        long StartTimestamp,
        DateTimeOffset ResumedFrom,
        bool IsTrusted,
        string? UntrustedReason,
        TimeSpan DriftAtStart,
        TimeSpan LagAtStart,
        TimeSpan EstimateLag,
        bool WallClockJumped);
}
