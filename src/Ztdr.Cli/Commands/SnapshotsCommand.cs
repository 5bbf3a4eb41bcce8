using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Ztdr.Cli.Commands;

/// <summary><c>ztdr snapshots</c>: every snapshot, oldest first, as a table or JSON.</summary>
internal static class SnapshotsCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print the snapshots as a JSON array" };
        var command = new Command("snapshots", "List the repository's snapshots, oldest first") { json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, async () =>
        {
            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken);
            var snapshots = await open.Catalog.ListAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Out.WriteLineAsync(ToJson(snapshots));
                return 0;
            }

            var rows = snapshots.Select(s => new[]
            {
                s.Id.ToString()[..8],
                s.Snapshot.Time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                s.Snapshot.Hostname,
                string.Join(", ", s.Snapshot.Paths),
            }).ToList();
            string[] header = ["ID", "Time", "Host", "Paths"];
            var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
            await context.Out.WriteLineAsync(Row(header, widths));
            foreach (var row in rows)
            {
                await context.Out.WriteLineAsync(Row(row, widths));
            }

            await context.Out.WriteLineAsync($"{rows.Count} snapshot{(rows.Count == 1 ? "" : "s")}");
            return 0;
        }));
        return command;
    }

    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));

    internal static string ToJson(IReadOnlyList<(Backup.Crypto.ObjectId Id, Backup.Snapshots.Snapshot Snapshot)> snapshots)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (id, snapshot) in snapshots)
            {
                writer.WriteStartObject();
                writer.WriteString("id", id.ToString());
                writer.WriteString("time", snapshot.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
                writer.WriteString("hostname", snapshot.Hostname);
                writer.WriteString("username", snapshot.Username);
                writer.WriteStartArray("paths");
                foreach (var path in snapshot.Paths)
                {
                    writer.WriteStringValue(path);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("tags");
                foreach (var tag in snapshot.Tags)
                {
                    writer.WriteStringValue(tag);
                }

                writer.WriteEndArray();
                writer.WriteString("tree", snapshot.Tree.ToString());
                if (snapshot.Parent is { } parent)
                {
                    writer.WriteString("parent", parent.ToString());
                }
                else
                {
                    writer.WriteNull("parent");
                }

                writer.WriteString("retainUntil", snapshot.RetainUntil.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
                writer.WriteStartObject("summary");
                writer.WriteNumber("files", snapshot.Summary.Files);
                writer.WriteNumber("dirs", snapshot.Summary.Dirs);
                writer.WriteNumber("bytes", snapshot.Summary.Bytes);
                writer.WriteNumber("addedBytes", snapshot.Summary.AddedBytes);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
