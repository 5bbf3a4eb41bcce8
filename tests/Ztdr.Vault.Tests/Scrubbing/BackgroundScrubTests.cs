using Microsoft.Extensions.Logging;
using Ztdr.Vault.Scrubbing;

namespace Ztdr.Vault.Tests.Scrubbing;

public sealed class BackgroundScrubTests
{
    [Fact]
    public async Task RunOnce_CorruptVersion_LogsFindingAtErrorAndRecordsLastRun()
    {
        using var vault = await ScrubVault.CreateAsync();
        var version = await vault.PutAsync("k", 100);
        await vault.PutAsync("fine", 100);
        vault.FlipByte(version.Segments[0].FileId, 3);
        var logger = new CapturingLogger();
        await using var background = new BackgroundScrub(vault.Scrubber(), TimeProvider.System, logger);

        var status = await background.RunOnceAsync(CancellationToken.None);

        Assert.Equal((2L, 200L, 1, (string?)null), (status.VersionsChecked, status.BytesRead, status.Findings, status.Error));
        Assert.Same(status, background.LastRun);
        var error = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("ChecksumMismatch", error.Message, StringComparison.Ordinal);
        Assert.Contains(version.VersionId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ZeroInitialDelay_ScrubsInTheBackgroundAndStopsPromptly()
    {
        using var vault = await ScrubVault.CreateAsync();
        await vault.PutAsync("k", 100);
        await using var background = new BackgroundScrub(vault.Scrubber(), TimeProvider.System, new CapturingLogger(), new BackgroundScrubOptions { InitialDelay = TimeSpan.Zero, Interval = TimeSpan.FromDays(1) });
        Assert.Null(background.LastRun);

        await background.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (background.LastRun is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal((1L, 0), (background.LastRun?.VersionsChecked, background.LastRun?.Findings));
        await background.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
    }

    [Fact]
    public async Task RunOnce_ScrubFails_RecordsTheErrorInsteadOfThrowing()
    {
        using var vault = await ScrubVault.CreateAsync();
        var version = await vault.PutAsync("k", 100);
        vault.Delete(version.Segments[0].FileId);
        var logger = new CapturingLogger();
        await using var background = new BackgroundScrub(vault.Scrubber(_ => throw new IOException("audit log full")), TimeProvider.System, logger);

        var status = await background.RunOnceAsync(CancellationToken.None);

        Assert.Equal("audit log full", status.Error);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Exception is IOException);
    }

    private sealed class CapturingLogger : ILogger<BackgroundScrub>
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, formatter(state, exception), exception));
            }
        }
    }
}
