using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ztdr.Vault.Scrubbing;

/// <summary>When and how fast the serving vault scrubs itself.</summary>
public sealed record BackgroundScrubOptions
{
    /// <summary>Time from one scrub's start to the next.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Wait after start-up before the first scrub, so a restart is not followed by a burst of reads.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Read rate: 64 MiB/s reads a TiB in under five hours and leaves most of a disk to clients.</summary>
    public long BytesPerSecond { get; init; } = 64L << 20;

    public TimeSpan OrphanGracePeriod { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>What health checks show about the last finished scrub. <see cref="Error"/> is set when it could not finish.</summary>
public sealed record ScrubStatus(DateTimeOffset Started, DateTimeOffset Finished, long VersionsChecked, long BytesRead, int Findings, int Orphans, string? Error);

/// <summary>
/// Runs a full, rate-limited scrub every <see cref="BackgroundScrubOptions.Interval"/> while the vault serves, logs
/// every finding at Error (findings also go to the scrubber's audit hook) and keeps the last outcome for health.
/// A scrub that fails is logged and retried at the next interval; it never stops the vault.
/// </summary>
public sealed partial class BackgroundScrub : IHostedService, IAsyncDisposable
{
    private readonly Scrubber _scrubber;
    private readonly BackgroundScrubOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BackgroundScrub> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private ScrubStatus? _last;

    public BackgroundScrub(Scrubber scrubber, TimeProvider time, ILogger<BackgroundScrub> logger, BackgroundScrubOptions? options = null)
    {
        _scrubber = scrubber;
        _time = time;
        _logger = logger;
        _options = options ?? new BackgroundScrubOptions();
    }

    /// <summary>The last scrub that ended (clean, with findings, or failed); null until the first one ends.</summary>
    public ScrubStatus? LastRun => Volatile.Read(ref _last);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Cancels a scrub in progress and waits for it to stop (it stops between two reads).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    /// <summary>Runs one scrub now and records its outcome. The loop uses it; tests and an admin endpoint may too.</summary>
    public async Task<ScrubStatus> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        ScrubStatus status;
        try
        {
            var result = await _scrubber.ScrubAsync(
                new ScrubOptions { BytesPerSecond = _options.BytesPerSecond, OrphanGracePeriod = _options.OrphanGracePeriod },
                progress: null,
                cancellationToken);
            foreach (var finding in result.Findings)
            {
                if (finding.Problem == ScrubProblem.Tampering)
                {
                    LogTampering(finding.Bucket, finding.Key, finding.VersionId, finding.Detail);
                }
                else
                {
                    LogFinding(finding.Problem, finding.Bucket, finding.Key, finding.VersionId, finding.SegmentIndex, finding.FileId, finding.Detail);
                }
            }

            foreach (var orphan in result.Orphans)
            {
                LogOrphan(orphan.FileId, orphan.Size, orphan.LastWrite);
            }

            status = new ScrubStatus(result.Started, result.Finished, result.VersionsChecked, result.BytesRead, result.Findings.Count, result.Orphans.Count, null);
            LogFinished(status.VersionsChecked, status.BytesRead, status.Findings, status.Orphans, status.Finished - status.Started);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Process boundary for the background task: log it, keep serving, try again next interval.
            LogFailed(e);
            status = new ScrubStatus(started, _time.GetUtcNow(), 0, 0, 0, 0, e.Message);
        }

        Volatile.Write(ref _last, status);
        return status;
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(_options.InitialDelay, _time, stopping);
            while (true)
            {
                var started = _time.GetTimestamp();
                await RunOnceAsync(stopping);
                var wait = _options.Interval - _time.GetElapsedTime(started);
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _time, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "scrub: {Problem} in {Bucket}/{Key} version {VersionId} segment {SegmentIndex} (file {FileId}): {Detail}")]
    private partial void LogFinding(ScrubProblem problem, string bucket, string key, string versionId, int segmentIndex, string fileId, string detail);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "scrub: orphan data file {FileId} ({Size} bytes, written {LastWrite:o}) is referenced by no version; it is kept")]
    private partial void LogOrphan(string fileId, long size, DateTimeOffset lastWrite);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "scrub finished: {Versions} versions, {Bytes} bytes read, {Findings} findings, {Orphans} orphan files in {Duration}")]
    private partial void LogFinished(long versions, long bytes, int findings, int orphans, TimeSpan duration);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Critical, Message = "scrub: Tampering with the lock of {Bucket}/{Key} version {VersionId}: {Detail}")]
    private partial void LogTampering(string bucket, string key, string versionId, string detail);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "scrub could not finish; it runs again at the next interval")]
    private partial void LogFailed(Exception exception);
}
