using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Ztdr.Vault.Scrubbing;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Host.Commands;

/// <summary>
/// <c>ztdr-vault scrub</c>: verifies every stored version against its checksums and its lock state against the audit
/// chain, with or without a serving vault
/// (it only reads: SQLite readers see committed state and data files are immutable). Exit status is a verdict a
/// monitor can act on: 0 clean, 1 damage found or files in quarantine, 2 the scrub could not run or finish (no verdict).
/// </summary>
internal static class ScrubCommand
{
    private const int Clean = 0;
    private const int DamageFound = 1;
    private const int NoVerdict = 2;

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The vault's data folder", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON document on stdout" };
        var rate = new Option<double?>("--rate") { Description = "Read at most this many MiB/s (default: as fast as the disk allows)" };
        var grace = new Option<double?>("--orphan-grace-seconds")
        {
            Description = "Report unreferenced files only if older than this (default 3600: younger ones may be uploads in flight; 0 with the vault stopped or idle)",
        };
        var command = new Command("scrub", "Check every stored version for missing, truncated, corrupted or writable data files and for lock states weaker than the audit chain records (tampering); report orphan and quarantined files") { data, json, rate, grace };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(data)!, parse.GetValue(json), parse.GetValue(rate), parse.GetValue(grace), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string dataDirectory, bool json, double? rateMiB, double? graceSeconds, CancellationToken cancellationToken)
    {
        try
        {
            if (rateMiB is { } r && !(r > 0 && double.IsFinite(r)))
            {
                throw new ArgumentException($"--rate must be a positive number of MiB/s, not {r.ToString(CultureInfo.InvariantCulture)}");
            }

            if (graceSeconds is { } g && !(g >= 0 && double.IsFinite(g)))
            {
                throw new ArgumentException($"--orphan-grace-seconds must be zero or a positive number of seconds, not {g.ToString(CultureInfo.InvariantCulture)}");
            }

            var layout = new VaultLayout(dataDirectory);
            if (!layout.IsInitialized)
            {
                throw new InvalidOperationException($"{layout.Root} is not a vault data folder (no {Path.GetFileName(layout.MarkerFile)})");
            }

            // Not VaultStore.Open: that empties tmp/, which would destroy the uploads in flight of a serving vault.
            using var database = MetadataDatabase.Open(layout.MetadataDatabase, create: false);
            var scrubber = new Scrubber(layout, database, TimeProvider.System);
            var options = new ScrubOptions
            {
                BytesPerSecond = rateMiB is { } mib ? (long)(mib * (1 << 20)) : null,
                OrphanGracePeriod = graceSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : new ScrubOptions().OrphanGracePeriod,
            };
            using var progress = Console.IsErrorRedirected ? null : new TerminalProgress();
            var result = await scrubber.ScrubAsync(options, progress, cancellationToken);
            progress?.Clear();
            await Console.Out.WriteAsync(json ? ToJson(layout.Root, result) : ToText(layout.Root, result));
            return result.IsClean ? Clean : DamageFound;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("ztdr-vault: scrub cancelled before it finished; nothing was verified");
            return NoVerdict;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or SqliteException)
        {
            await Console.Error.WriteLineAsync($"ztdr-vault: {e.Message}");
            return NoVerdict;
        }
    }

    private static string ToText(string root, ScrubResult result)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"scrub of {root}: {(result.IsClean ? "clean" : "DAMAGE FOUND")}");
        text.AppendLine(inv, $"  versions checked  {result.VersionsChecked,15:N0}");
        text.AppendLine(inv, $"  segments checked  {result.SegmentsChecked,15:N0}");
        text.AppendLine(inv, $"  bytes read        {result.BytesRead,15:N0}  ({Size(result.BytesRead)})");
        text.AppendLine(inv, $"  findings          {result.Findings.Count,15:N0}");
        text.AppendLine(inv, $"  orphan files      {result.Orphans.Count,15:N0}");
        text.AppendLine(inv, $"  quarantined files {result.Quarantined.Count,15:N0}");
        if (result.Locks is { } locks)
        {
            text.AppendLine(inv, $"  audit records     {locks.AuditRecords,15:N0}  replayed for the lock cross-check");
            text.AppendLine(inv, $"  locked versions   {locks.LockedVersions,15:N0}  by the chain, {locks.VersionsCompared:N0} compared with the metadata store");
        }
        else
        {
            text.AppendLine("  lock cross-check  not run: the vault has no audit log");
        }

        text.AppendLine(inv, $"  duration          {(result.Finished - result.Started).TotalSeconds,15:N1} s");
        foreach (var f in result.Findings)
        {
            if (f.Problem == ScrubProblem.Tampering)
            {
                text.AppendLine(inv, $"{f.Problem} {Printable(f.Bucket)}/{Printable(f.Key)} version {Printable(f.VersionId)}: {Printable(f.Detail)}");
            }
            else
            {
                text.AppendLine(inv, $"{f.Problem} {Printable(f.Bucket)}/{Printable(f.Key)} version {f.VersionId} segment {f.SegmentIndex} file {Printable(f.FileId)}: {Printable(f.Detail)}");
            }
        }

        foreach (var o in result.Orphans)
        {
            text.AppendLine(inv, $"Orphan {Printable(o.FileId)}: {o.Size:N0} bytes, written {o.LastWrite:yyyy-MM-ddTHH:mm:ssZ}, referenced by no version (kept)");
        }

        foreach (var q in result.Quarantined)
        {
            text.AppendLine(inv, $"Quarantined {q.FileId}: {q.Size:N0} bytes, written {q.LastWrite:yyyy-MM-ddTHH:mm:ssZ}, no version named it at start; run 'ztdr-vault recover' with the vault stopped");
        }

        return text.ToString();
    }

    private static string ToJson(string root, ScrubResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("data", root);
            json.WriteBoolean("clean", result.IsClean);
            json.WriteString("started", result.Started);
            json.WriteString("finished", result.Finished);
            json.WriteNumber("versionsChecked", result.VersionsChecked);
            json.WriteNumber("segmentsChecked", result.SegmentsChecked);
            json.WriteNumber("bytesRead", result.BytesRead);
            if (result.Locks is { } locks)
            {
                json.WriteStartObject("locks");
                json.WriteNumber("auditRecords", locks.AuditRecords);
                json.WriteNumber("lockedVersions", locks.LockedVersions);
                json.WriteNumber("versionsCompared", locks.VersionsCompared);
                json.WriteEndObject();
            }

            json.WriteStartArray("findings");
            foreach (var f in result.Findings)
            {
                json.WriteStartObject();
                json.WriteString("problem", f.Problem.ToString());
                json.WriteString("bucket", f.Bucket);
                json.WriteString("key", f.Key);
                json.WriteString("versionId", f.VersionId);
                json.WriteNumber("segmentIndex", f.SegmentIndex);
                json.WriteString("fileId", f.FileId);
                json.WriteString("detail", f.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("orphans");
            foreach (var o in result.Orphans)
            {
                json.WriteStartObject();
                json.WriteString("fileId", o.FileId);
                json.WriteNumber("size", o.Size);
                json.WriteString("lastWrite", o.LastWrite);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("quarantined");
            foreach (var q in result.Quarantined)
            {
                json.WriteStartObject();
                json.WriteString("fileId", q.FileId);
                json.WriteNumber("size", q.Size);
                json.WriteString("lastWrite", q.LastWrite);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// Object keys are chosen by clients: a key holding a newline or an escape sequence must not forge a line of this
    /// report or drive the terminal, so control characters are shown as \uXXXX.
    /// </summary>
    private static string Printable(string value)
    {
        if (!value.Any(char.IsControl))
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            text.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return text.ToString();
    }

    private static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }

    /// <summary>One self-overwriting status line on the terminal's stderr, redrawn at most five times a second.</summary>
    private sealed class TerminalProgress : IProgress<ScrubProgress>, IDisposable
    {
        private long _lastDraw;
        private bool _drawn;

        public void Report(ScrubProgress value)
        {
            var now = Environment.TickCount64;
            if (now - _lastDraw < 200)
            {
                return;
            }

            _lastDraw = now;
            _drawn = true;
            var percent = value.TotalBytes > 0 ? Math.Min(100, 100.0 * value.BytesRead / value.TotalBytes) : 100;
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\rscrubbing: {percent,5:0.0}%  {value.VersionsChecked:N0} versions  {Size(value.BytesRead)} of {Size(value.TotalBytes)}  {value.Findings} findings\u001b[K"));
        }

        public void Clear()
        {
            if (_drawn)
            {
                Console.Error.Write("\r\u001b[K");
                _drawn = false;
            }
        }

        public void Dispose() => Clear();
    }
}
