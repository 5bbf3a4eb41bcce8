using Microsoft.Extensions.Logging;
using Ztdr.Vault.Api;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Management;
using Ztdr.Vault.Recovery;
using Ztdr.Vault.Scrubbing;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Hosting;

/// <summary>
/// The long-lived parts of a serving vault: storage, the secure clock (persisted every few seconds and at shutdown,
/// watched for wall-clock drift), the audit log, the authentication-failure limiter and the background scrub (whose
/// findings are audited).
/// </summary>
public sealed class VaultServices : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ITimer _clockTimer;
    private bool _driftReported;

    private VaultServices(VaultStore store, SecureClock clock, AuditLog audit, AuthFailureLimiter limiter, TimeProvider time, ILogger logger)
    {
        Store = store;
        Clock = clock;
        Audit = audit;
        Limiter = limiter;
        _logger = logger;
        _clockTimer = time.CreateTimer(_ => _ = TickAsync(), null, SecureClockSettings.PersistInterval, SecureClockSettings.PersistInterval);
    }

    public VaultStore Store { get; }

    public SecureClock Clock { get; }

    public AuditLog Audit { get; }

    public AuthFailureLimiter Limiter { get; }

    public BackgroundScrub? Scrub { get; private set; }

    /// <summary>Starts the background scrub; every corrupt segment it finds is audited.</summary>
    public void StartScrub(TimeProvider time, ILogger<BackgroundScrub> logger, CancellationToken cancellationToken)
    {
        var scrubber = new Scrubber(Store.Layout, Store.Database, time, finding => Audit.AppendAsync(
            new AuditEvent(Clock.Now.Now, AuditLog.VaultPrincipal, "scrub:" + finding.Problem, finding.Bucket, finding.Key, finding.VersionId, "alert", "local", null)));
        Scrub = new BackgroundScrub(scrubber, time, logger);
        Scrub.StartAsync(cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>The health report with the clock's and the last scrub's state, and how many files wait in quarantine.</summary>
    public HealthReport Health(HealthReport basic)
    {
        var last = Scrub?.LastRun;

        // Read from disk each time: only recover (with the vault stopped) empties quarantine/.
        var quarantined = Store.Files.ListQuarantine().Count;
        var degraded = !Clock.IsTrusted || Clock.DriftExceeded || Clock.WallClockJumpedAtStart || last?.Findings > 0 || quarantined > 0;
        return basic with
        {
            Status = degraded ? "degraded" : basic.Status,
            ClockTrusted = Clock.IsTrusted,
            TrustedTime = Clock.Now.Now,
            WallClockAheadSeconds = Math.Round(Clock.Drift.TotalSeconds, 3),
            ClockDriftExceeded = Clock.DriftExceeded,
            WallClockJumpedAtStart = Clock.WallClockJumpedAtStart,
            ClockUntrustedReason = Clock.UntrustedReason,
            LastScrubFinished = last?.Finished,
            LastScrubFindings = last?.Findings,
            LastScrubError = last?.Error,
            QuarantinedFiles = quarantined,
        };
    }

    public static VaultServices Open(string dataDirectory, TimeProvider time, ILogger logger)
    {
        var store = VaultStore.Open(dataDirectory, time);
        AuditLog? audit = null;
        try
        {
            audit = AuditLog.Open(store.Layout.AuditDirectory);

            // Only now: the audit log's exclusive lock proves no other vault serves this folder with uploads in flight.
            var leftovers = store.RecoverFromCrash();

            // The clock resumes after both: the audit chain's last record and the newest data file tell it what time it
            // can have been when the vault stopped (SecureClock.Unexplained).
            var evidence = new ClockEvidence(audit.LastRecordAtOpen, leftovers.NewestDataFile);
            var clock = new SecureClock(time, new FileTrustedTimeStore(store.Layout.ClockFile), SecureClockSettings.DriftThreshold, evidence);
            var services = new VaultServices(store, clock, audit, new AuthFailureLimiter(time), time, logger);
            if (leftovers.Quarantined.Count > 0)
            {
                // Named one by one: after a lost or rolled-back metadata store these are the only trace of the versions.
                logger.LogError("{Count} data files in objects/ are referenced by no version (crash residue, or a lost or rolled-back metadata store); moved to quarantine/, none deleted: run 'ztdr-vault recover' with the vault stopped", leftovers.Quarantined.Count);
                QuarantineRecovery.AuditQuarantinedAsync(audit, clock, leftovers.Quarantined).GetAwaiter().GetResult();
            }

            if (!clock.IsTrusted)
            {
                // Fail closed: reads and writes go on, but no retention counts as expired until trust is restored.
                logger.LogError("trusted time cannot be established ({Reason}); retention never expires while this lasts", clock.UntrustedReason);
                audit.AppendAsync(services.ClockEvent("clock:untrusted", clock.UntrustedReason ?? "unknown")).GetAwaiter().GetResult();
            }

            if (clock.WallClockJumpedAtStart)
            {
                // Not an outage: retention and request times follow trusted time (SecureClock.Latest); this is the alert.
                logger.LogWarning("the wall clock jumped while the vault was stopped (wall minus trusted time at start: {Drift}; behind trusted time or the newest data file, or more than {Max} ahead); retention and request times keep following trusted time", clock.DriftAtStart, SecureClockSettings.MaxExplainedDowntime);
                audit.AppendAsync(services.ClockEvent("clock:jump", $"wall clock minus trusted time at start: {clock.DriftAtStart}")).GetAwaiter().GetResult();
            }

            return services;
        }
        catch
        {
            audit?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            store.Dispose();
            throw;
        }
    }

    public S3Dispatcher CreateDispatcher(VaultOptions options, TimeProvider time, ILogger<S3Dispatcher> logger) =>
        new(Store, options, time, Clock, Audit, Limiter, logger);

    public async ValueTask DisposeAsync()
    {
        if (Scrub is not null)
        {
            await Scrub.StopAsync(CancellationToken.None);
            await Scrub.DisposeAsync();
        }

        await _clockTimer.DisposeAsync();
        Clock.Persist();
        await Audit.DisposeAsync();
        Store.Dispose();
    }

    /// <summary>Timer callback: never throws (an exception here would be unobserved), logs instead.</summary>
    private async Task TickAsync()
    {
        try
        {
            Clock.Persist();
            await CheckpointWhenIdleAsync();
            if (Clock.DriftExceeded && !_driftReported)
            {
                _driftReported = true;
                _logger.LogWarning("the wall clock moved {Drift} against trusted time while serving; retention keeps following trusted time", Clock.Drift);
                await Audit.AppendAsync(ClockEvent("clock:drift", $"wall clock minus trusted time: {Clock.Drift}"));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // A failed save only means a restart resumes from an earlier (safe) trusted time; a failed audit append
            // means the log has failed closed and every request is refused until restart.
            _logger.LogError(e, "could not persist trusted time or audit clock drift");
        }
    }

    /// <summary>
    /// Keeps the audit chain a witness of trusted time: an idle vault appends a checkpoint once the last record is
    /// <see cref="SecureClockSettings.CheckpointInterval"/> old, so a clock file edited ahead shows as a gap at the next start.
    /// </summary>
    private async Task CheckpointWhenIdleAsync()
    {
        // An empty chain needs no witness: nothing was ever written, so nothing can be locked.
        var now = Clock.Now.Now;
        if (Audit.LastRecordTime is not { } last || (now - last < SecureClockSettings.CheckpointInterval && last <= now))
        {
            return;
        }

        await Audit.AppendAsync(new AuditEvent(now, AuditLog.VaultPrincipal, "clock:checkpoint", null, $"trusted time; wall clock {Clock.Drift} ahead", null, "allowed", "local", null));
    }

    /// <summary>A record the vault writes about itself; the detail goes in the key field, as for torn-tail recovery.</summary>
    private AuditEvent ClockEvent(string operation, string detail) =>
        new(Clock.Now.Now, AuditLog.VaultPrincipal, operation, null, detail, null, "alert", "local", null);
}
