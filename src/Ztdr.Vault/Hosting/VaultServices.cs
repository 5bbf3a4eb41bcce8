using Microsoft.Extensions.Logging;
using Ztdr.Vault.Api;
using Ztdr.Vault.Approvals;
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
/// watched for wall-clock drift), the audit log with the summaries of unauthenticated refusals (written every few
/// seconds once their minute is over, and at shutdown), the authentication-failure limiter and the background scrub
/// (whose findings are audited). A vault always starts: with no space to write its audit log it starts read-only.
/// </summary>
public sealed class VaultServices : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ITimer _clockTimer;
    private bool _driftReported;

    private VaultServices(VaultStore store, SecureClock clock, AuditLog audit, AuthFailureLimiter limiter, TimeProvider time, ILogger logger, TimeSpan approvalTtl)
    {
        Approvals = new ApprovalEngine(store.Database, audit, () => clock.Now.Now, approvalTtl, new SensitiveOperations(store, clock), logger);
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

    /// <summary>Four-eyes approval of sensitive operations (docs/approvals.md), on trusted time.</summary>
    public ApprovalEngine Approvals { get; }

    /// <summary>Refusals of requests that proved no key, counted per source and minute (docs/audit-format.md, "Summaries").</summary>
    internal RefusalSummaries Summaries { get; } = new();

    public BackgroundScrub? Scrub { get; private set; }

    /// <summary>Signs the audit chain's head (docs/audit-format.md, "Checkpoints"); null when the signing key is unusable.</summary>
    public AuditCheckpointer? Checkpoints { get; private set; }

    private CheckpointKey? _checkpointKey;

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
        var readOnly = Audit.ReadOnlyReason;

        // Read from disk each time: only recover (with the vault stopped) empties quarantine/.
        var quarantined = Store.Files.ListQuarantine().Count;
        var degraded = !Clock.IsTrusted || Clock.DriftExceeded || Clock.WallClockJumpedAtStart || last?.Findings > 0 || quarantined > 0 || readOnly is not null;
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
            ReadOnly = readOnly is not null,
            ReadOnlyReason = readOnly,
            QuarantinedFiles = quarantined,
            PendingApprovals = Approvals.PendingCount(),
        };
    }

    /// <remarks><c>approvalTtl</c>: how long a sensitive request waits for its second key (default 24 h).</remarks>
    public static VaultServices Open(string dataDirectory, TimeProvider time, ILogger logger, TimeSpan? approvalTtl = null)
    {
        var store = VaultStore.Open(dataDirectory, time);
        AuditLog? audit = null;
        try
        {
            audit = OpenAudit(store, logger);

            // Only now: the audit log's exclusive lock proves no other vault serves this folder with uploads in flight.
            var leftovers = store.RecoverFromCrash();

            // The clock resumes after both: the audit chain's last record and the newest data file tell it what time it
            // can have been when the vault stopped (SecureClock.Unexplained).
            var evidence = new ClockEvidence(audit.LastRecordAtOpen, leftovers.NewestDataFile);
            var clock = new SecureClock(time, new FileTrustedTimeStore(store.Layout.ClockFile), SecureClockSettings.DriftThreshold, evidence);
            var services = new VaultServices(store, clock, audit, new AuthFailureLimiter(time), time, logger, approvalTtl ?? ApprovalEngine.DefaultTtl);
            services.StartCheckpoints();
            if (leftovers.Quarantined.Count > 0)
            {
                // Named one by one: after a lost or rolled-back metadata store these are the only trace of the versions.
                logger.LogError("{Count} data files in objects/ are referenced by no version (crash residue, or a lost or rolled-back metadata store); moved to quarantine/, none deleted: run 'ztdr-vault recover' with the vault stopped", leftovers.Quarantined.Count);
                foreach (var record in QuarantineRecovery.QuarantineEvents(clock, leftovers.Quarantined))
                {
                    services.AppendAtStart(record);
                }
            }

            if (!clock.IsTrusted)
            {
                // Fail closed: reads and writes go on, but no retention counts as expired until trust is restored.
                logger.LogError("trusted time cannot be established ({Reason}); retention never expires while this lasts", clock.UntrustedReason);
                services.AppendAtStart(services.ClockEvent("clock:untrusted", clock.UntrustedReason ?? "unknown"));
            }

            if (clock.WallClockJumpedAtStart)
            {
                // Not an outage: retention and request times follow trusted time (SecureClock.Latest); this is the alert.
                logger.LogWarning("the wall clock jumped while the vault was stopped (wall minus trusted time at start: {Drift}; behind trusted time or the newest data file, or more than {Max} ahead); retention and request times keep following trusted time", clock.DriftAtStart, SecureClockSettings.MaxExplainedDowntime);
                services.AppendAtStart(services.ClockEvent("clock:jump", $"wall clock minus trusted time at start: {clock.DriftAtStart}"));
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

    /// <summary>
    /// Opens the audit log for appending; with no space for that (its recovery or head cannot be written) or for its
    /// space reserve, opens it read-only instead. A vault always starts and serves reads: refusing to start on a full
    /// disk took the owner's reads away too (issue 12, item 2). Read-only, it refuses every change with 507, so no
    /// mutation commits without its record; health, metrics and the log say so until a restart finds space again.
    /// </summary>
    private static AuditLog OpenAudit(VaultStore store, ILogger logger)
    {
        string reason;
        try
        {
            var audit = AuditLog.Open(store.Layout.AuditDirectory);
            if (audit.HasSpaceReserve || store.Files.AvailableBytes() >= store.Files.ReserveBytes())
            {
                return audit;
            }

            // No reserve and no room to make one: a mutation committed now could be left without its record.
            audit.DisposeAsync().AsTask().GetAwaiter().GetResult();
            reason = $"no space for the audit log's reserve ({store.Files.AvailableBytes()} bytes free)";
        }
        catch (IOException e) when (DataFileStore.IsNoSpace(e))
        {
            reason = "no space to write the audit log at start: " + e.Message;
        }

        logger.LogError("starting read-only: {Reason}; reads are served, every change is refused with 507 XVaultStorageFull until space is freed and the vault restarts", reason);
        return AuditLog.OpenReadOnly(store.Layout.AuditDirectory, reason);
    }

    /// <summary>A record the vault writes about itself at start: to the log when the audit log takes none (read-only).</summary>
    private void AppendAtStart(AuditEvent auditEvent)
    {
        try
        {
            Audit.AppendAsync(auditEvent).GetAwaiter().GetResult();
        }
        catch (AuditLogUnavailableException e)
        {
            _logger.LogError("not audited ({Reason}): {Operation} {Detail}", e.Message, auditEvent.Operation, auditEvent.Key);
        }
    }

    /// <summary>
    /// Loads (or, for a vault from before checkpoints, creates) the signing key and checkpoints the head at once if it
    /// moved since the last checkpoint: a crash skipped the one at shutdown. Without a usable key the vault serves on,
    /// loudly: checkpoints are evidence for later, not a condition for holding data.
    /// </summary>
    private void StartCheckpoints()
    {
        var directory = Store.Layout.AuditDirectory;
        try
        {
            _checkpointKey = CheckpointKey.LoadOrCreate(directory, out var created);
            if (created)
            {
                _logger.LogWarning("created the audit checkpoint signing key {Fingerprint}: copy {PublicKey} off this host, checkpoints prove a rewritten audit chain only against a public key the host cannot replace", _checkpointKey.Fingerprint, new AuditPaths(directory).PublicKey);
            }

            Checkpoints = new AuditCheckpointer(
                () => Audit.Head,
                _checkpointKey,
                [new CheckpointFile(directory), new LoggedCheckpoints(_logger)],
                new CheckpointPolicy(),
                CheckpointFile.Read(directory).LastOrDefault(),
                (sink, e) => _logger.LogError(e, "audit checkpoint not published to {Sink}", sink.GetType().Name));
            Checkpoints.CheckpointAsync(Clock.Now.Now).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            _logger.LogError(e, "the audit chain is not checkpointed: the signing key in {Directory} cannot be read or created", directory);
        }
    }

    public S3Dispatcher CreateDispatcher(VaultOptions options, TimeProvider time, ILogger<S3Dispatcher> logger) =>
        new(Store, options, time, Clock, Audit, Summaries, Limiter, Approvals, logger);

    public async ValueTask DisposeAsync()
    {
        if (Scrub is not null)
        {
            await Scrub.StopAsync(CancellationToken.None);
            await Scrub.DisposeAsync();
        }

        await _clockTimer.DisposeAsync();
        await WriteSummariesAsync(all: true);
        try
        {
            Clock.Persist();
        }
        catch (IOException e)
        {
            // No room for the clock file: the next start resumes from the last saved (earlier, so safe) trusted time.
            _logger.LogError(e, "could not persist trusted time at shutdown");
        }

        await Audit.DisposeAsync();
        if (Checkpoints is not null)
        {
            // After the log's last batch: the head now names every record this run wrote.
            await Checkpoints.CheckpointAsync(Clock.Now.Now);
        }

        _checkpointKey?.Dispose();
        Store.Dispose();
    }

    /// <summary>
    /// Writes the summaries of refusals whose minute is over (every one at shutdown), while free space is above the tier
    /// unauthenticated records may use; below it, or when the log takes no records, they go to the vault's log.
    /// </summary>
    internal async Task WriteSummariesAsync(bool all)
    {
        foreach (var summary in Summaries.Take(Clock.Now.Now, all))
        {
            string reason;
            if (Audit.ReadOnlyReason is { } readOnly)
            {
                reason = readOnly;
            }
            else if (!Store.Files.HasRoomForUnauthenticatedRecords())
            {
                reason = "free space is below the tier unauthenticated records may use";
            }
            else
            {
                try
                {
                    await Audit.AppendAsync(summary);
                    continue;
                }
                catch (AuditLogUnavailableException e)
                {
                    reason = e.Message;
                }
            }

            _logger.LogWarning("audit summary not written ({Reason}): {Source} {Outcome} {Detail} sample {RequestId}", reason, summary.Source, summary.Outcome, summary.Key, summary.RequestId);
        }
    }

    /// <summary>Timer callback: never throws (an exception here would be unobserved), logs instead.</summary>
    private async Task TickAsync()
    {
        try
        {
            await WriteSummariesAsync(all: false);
            Clock.Persist();
            await CheckpointWhenIdleAsync();
            if (Checkpoints is not null)
            {
                await Checkpoints.TickAsync(Clock.Now.Now);
            }
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
