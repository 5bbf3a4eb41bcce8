using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;
using Ztdr.Cli.Output;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr snapshots</c>: the snapshots, oldest first — a table on a terminal, aligned plain text otherwise (scripts
/// and logs), or JSON. Forgotten snapshots only with <c>--forgotten</c>.
/// </summary>
internal static class SnapshotsCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print the snapshots as a JSON array" };
        var forgotten = new Option<bool>("--forgotten") { Description = "Also list snapshots 'ztdr forget' marked (until prune deletes them)" };
        var command = new Command("snapshots", "List the repository's snapshots, oldest first") { json, forgotten };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, async () =>
        {
            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken, readOnly: true);
            var withForgotten = parse.GetValue(forgotten);
            var snapshots = await open.Catalog.ListAsync(withForgotten, cancellationToken);
            HashSet<ObjectId>? forgottenIds = withForgotten ? await open.Catalog.ForgottenIdsAsync(cancellationToken) : null;
            await open.CheckRollbackAsync(snapshots.Count > 0 ? (snapshots[^1].Id, snapshots[^1].Snapshot.Time) : null, cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Out.WriteLineAsync(ToJson(snapshots, forgottenIds));
                return 0;
            }

            if (IsTerminal(context))
            {
                WriteTerminalTable(context, snapshots, forgottenIds);
                return 0;
            }

            // Plain text keeps the columns scripts already parse: the id first, the paths last.
            List<string> header = ["ID", "Time", "Host"];
            if (forgottenIds is not null)
            {
                header.Add("Forgotten");
            }

            header.Add("Paths");
            var rows = snapshots.Select(s =>
            {
                List<string> row = [s.Id.ToString()[..8], TimeText.Utc(s.Snapshot.Time), s.Snapshot.Hostname];
                if (forgottenIds is not null)
                {
                    row.Add(forgottenIds.Contains(s.Id) ? "yes" : "no");
                }

                row.Add(string.Join(", ", s.Snapshot.Paths));
                return (IReadOnlyList<string>)row;
            }).ToList();
            await PlainTable.WriteAsync(context.Out, header, rows);
            await context.Out.WriteLineAsync($"{rows.Count} snapshot{(rows.Count == 1 ? "" : "s")}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Whether standard output is the process's terminal, where a drawn table helps; a test's writer or a redirected
    /// stream gets plain text.
    /// </summary>
    internal static bool IsTerminal(CliContext context) => ReferenceEquals(context.Out, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>
    /// A drawn table on the terminal, no wider than the terminal or <paramref name="maxWidth"/> (cells wrap to fit);
    /// cell text is shown as is, never read as markup.
    /// </summary>
    internal static void WriteTerminalTable(CliContext context, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, int? maxWidth = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });
        if (maxWidth is { } width && console.Profile.Width > width)
        {
            console.Profile.Width = width;
        }

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in header)
        {
            table.AddColumn(new TableColumn(new Text(column)));
        }

        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(cell => (IRenderable)new Text(cell))]);
        }

        console.Write(table);
    }

    internal static string ToJson(IReadOnlyList<(ObjectId Id, Snapshot Snapshot)> snapshots, IReadOnlySet<ObjectId>? forgotten = null) =>
        JsonSerializer.Serialize(
            [.. snapshots.Select(s => new SnapshotJson(
                s.Id.ToString(),
                s.Snapshot.Time,
                s.Snapshot.Hostname,
                s.Snapshot.Username,
                s.Snapshot.Paths,
                s.Snapshot.Tags,
                s.Snapshot.Tree.ToString(),
                s.Snapshot.Parent?.ToString(),
                s.Snapshot.RetainUntil,
                new SnapshotSummaryJson(s.Snapshot.Summary.Files, s.Snapshot.Summary.Dirs, s.Snapshot.Summary.Bytes, s.Snapshot.Summary.AddedBytes),
                forgotten?.Contains(s.Id)))],
            CliJsonContext.Output.IReadOnlyListSnapshotJson);

    private static void WriteTerminalTable(CliContext context, IReadOnlyList<(ObjectId Id, Snapshot Snapshot)> snapshots, HashSet<ObjectId>? forgotten)
    {
        List<string> header = ["ID", "Time", "Host", "Paths", "Tags", "Size", "Retain until"];
        if (forgotten is not null)
        {
            header.Add("Forgotten");
        }

        var rows = snapshots.Select(s =>
        {
            List<string> row =
            [
                s.Id.ToString()[..8],
                TimeText.Utc(s.Snapshot.Time),
                s.Snapshot.Hostname,
                string.Join("\n", s.Snapshot.Paths),
                string.Join(", ", s.Snapshot.Tags),
                ByteSize.Format(s.Snapshot.Summary.Bytes),
                TimeText.Utc(s.Snapshot.RetainUntil),
            ];
            if (forgotten is not null)
            {
                row.Add(forgotten.Contains(s.Id) ? "yes" : "");
            }

            return (IReadOnlyList<string>)row;
        }).ToList();
        WriteTerminalTable(context, header, rows);
        context.Out.WriteLine($"{rows.Count} snapshot{(rows.Count == 1 ? "" : "s")}");
    }
}
