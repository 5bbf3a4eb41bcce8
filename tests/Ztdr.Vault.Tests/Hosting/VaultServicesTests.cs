using Microsoft.Extensions.Logging.Abstractions;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Hosting;
using Ztdr.Vault.Setup;
using Ztdr.Vault.Tests.Tls;

namespace Ztdr.Vault.Tests.Hosting;

/// <summary>
/// The serving vault's clock duties, driven by a clock whose timer fires only when the test says so: an idle vault
/// keeps the audit chain a witness of trusted time (the checkpoint that lets the next start check clock.json).
/// </summary>
public sealed class VaultServicesTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Tick_IdleForAnHourSinceTheLastRecord_AppendsACheckpoint()
    {
        using var folder = new TemporaryFolder();
        var time = new TimerClock(Start);
        var data = await InitializeAsync(folder, time);
        var services = VaultServices.Open(data, time, NullLogger.Instance);
        await services.Audit.AppendAsync(new AuditEvent(services.Clock.Now.Now, "AKID", "PutObject", "b", "k", "v", "allowed", null, null));

        time.Run(TimeSpan.FromHours(1));
        time.FireTimer();
        await services.DisposeAsync();

        var last = AuditLog.Tail(Path.Combine(data, "audit"), 1).Single();
        Assert.Equal("clock:checkpoint", last.Event.Operation);
        Assert.Equal(Start.AddHours(1), last.Event.TrustedTime);
    }

    [Fact]
    public async Task Tick_RecordYoungerThanAnHour_AppendsNothing()
    {
        using var folder = new TemporaryFolder();
        var time = new TimerClock(Start);
        var data = await InitializeAsync(folder, time);
        var services = VaultServices.Open(data, time, NullLogger.Instance);
        await services.Audit.AppendAsync(new AuditEvent(services.Clock.Now.Now, "AKID", "PutObject", "b", "k", "v", "allowed", null, null));

        time.Run(TimeSpan.FromMinutes(59));
        time.FireTimer();
        await services.DisposeAsync();

        Assert.Equal("PutObject", AuditLog.Tail(Path.Combine(data, "audit"), 1).Single().Event.Operation);
    }

    private static async Task<string> InitializeAsync(TemporaryFolder folder, TimeProvider time)
    {
        var data = folder.Combine("vault");
        await VaultInitializer.InitializeAsync(new InitOptions(data, folder.Combine("credentials"), null, ["localhost"]), time);
        return data;
    }

    /// <summary>Wall and monotonic time that move only when told; the one timer fires only on <see cref="FireTimer"/>.</summary>
    private sealed class TimerClock(DateTimeOffset wall) : TimeProvider
    {
        private DateTimeOffset _wall = wall;
        private long _ticks = 1_000;
        private (TimerCallback Callback, object? State)? _timer;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => _wall;

        public override long GetTimestamp() => _ticks;

        public void Run(TimeSpan elapsed)
        {
            _wall += elapsed;
            _ticks += elapsed.Ticks;
        }

        /// <summary>Runs the timer's callback on this thread: its synchronous part (the append is enqueued) is done on return.</summary>
        public void FireTimer() => (_timer ?? throw new InvalidOperationException("no timer")).Callback(_timer.Value.State);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _timer = (callback, state);
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
