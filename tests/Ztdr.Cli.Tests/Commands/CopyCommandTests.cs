using Ztdr.Cli.Commands;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>What <c>ztdr copy</c> prints besides the copy itself: its progress line on a terminal.</summary>
public sealed class CopyCommandTests
{
    [Fact]
    public void ProgressLines_OnTerminal_RewriteOneLineAndClearItOnFinish()
    {
        var time = new SteppedTime();
        var error = new StringWriter();
        var context = new CliContext(_ => null, new StringWriter(), error, null, time) { ErrorIsTerminal = true };
        var progress = new CopyCommand.ProgressLines(context);

        time.Now += TimeSpan.FromSeconds(1);
        progress.Show(0, 2, 10, 8, 8 * 1024 * 1024);
        progress.Show(1, 2, 20, 16, 16 * 1024 * 1024);
        time.Now += TimeSpan.FromSeconds(1);
        progress.Show(1, 2, 30, 24, 24 * 1024 * 1024);
        progress.Finish();
        progress.Show(2, 2, 40, 32, 32 * 1024 * 1024);

        Assert.Equal(
            "\r\u001b[K0 of 2 snapshots, 10 blobs read, 8 added (8.0 MiB)\r\u001b[K1 of 2 snapshots, 30 blobs read, 24 added (24.0 MiB)\r\u001b[K",
            error.ToString());
    }

    private sealed class SteppedTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
