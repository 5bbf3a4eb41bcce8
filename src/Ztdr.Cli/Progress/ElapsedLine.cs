using System.CommandLine;
using Ztdr.Cli.Commands;

namespace Ztdr.Cli.Progress;

/// <summary>
/// The closing line of a long command (backup, restore, verify, copy, prune, forget): <c>progress: done in mm:ss</c>
/// on stderr after its summary. It goes to stderr with the other progress lines, so the summary on stdout stays the
/// one line scripts already parse, and a log filtering <c>progress:</c> lines keeps or drops them all together.
/// </summary>
internal static class ElapsedLine
{
    /// <summary>
    /// <paramref name="command"/>, followed by the closing line when it returns (whatever its exit code: it ran to its
    /// summary). Not after a failure (the error line is the last word), and not under <c>--json</c>, where stderr is
    /// kept for the JSON error object and the JSON summary carries the same time as <c>durationSeconds</c>.
    /// </summary>
    public static Func<Task<int>> Around(CliContext context, ParseResult parse, Func<Task<int>> command) => async () =>
    {
        var exit = await command();
        if (!CommandErrors.JsonRequested(parse))
        {
            await context.Error.WriteLineAsync(Text(context.Time.GetElapsedTime(context.Started)));
        }

        return exit;
    };

    internal static string Text(TimeSpan elapsed) => $"progress: done in {ProgressText.Duration(elapsed)}";
}
