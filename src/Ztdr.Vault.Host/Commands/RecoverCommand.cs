using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Recovery;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Host.Commands;

/// <summary>
/// <c>ztdr-vault recover</c>: with the vault stopped, quarantines what no metadata row names (as a start would), then
/// returns every quarantined file to clients: to its version when a row names it again, else as a rebuilt version
/// under a legal hold in <c>ztdr-recovered</c>, saying what the file could not tell (QuarantineRecovery). Exit 0 when
/// quarantine/ is empty afterwards, 1 when files are left in it, 2 when recover could not run (vault serving, not a
/// vault, I/O error).
/// </summary>
internal static class RecoverCommand
{
    private const int Done = 0;
    private const int FilesLeft = 1;
    private const int CouldNotRun = 2;

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The vault's data folder (the vault must be stopped)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON document on stdout" };
        var command = new Command("recover", "Rebuild metadata for quarantined data files (after a lost or rolled-back vault.db); the vault must be stopped") { data, json };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(data)!, parse.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string dataDirectory, bool json, CancellationToken cancellationToken)
    {
        try
        {
            using var store = VaultStore.Open(dataDirectory, TimeProvider.System);

            // The audit log's exclusive lock is the proof that no vault serves this folder (with uploads in flight).
            await using var audit = AuditLog.Open(store.Layout.AuditDirectory);
            var leftovers = store.RecoverFromCrash();
            var evidence = new ClockEvidence(audit.LastRecordAtOpen, leftovers.NewestDataFile);

            // Read only: recover never persists trusted time, so it cannot move it.
            var clock = new SecureClock(TimeProvider.System, FileTrustedTimeStore.In(store.Layout), SecureClockSettings.DriftThreshold, evidence);
            await QuarantineRecovery.AuditQuarantinedAsync(audit, clock, leftovers.Quarantined);
            var report = await new QuarantineRecovery(store, audit, clock).RunAsync(cancellationToken);
            var left = store.Files.ListQuarantine();
            await Console.Out.WriteAsync(json ? ToJson(store.Layout.Root, report, left) : ToText(store.Layout.Root, report, left));
            return left.Count == 0 ? Done : FilesLeft;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or SqliteException or AuditLogDamagedException)
        {
            await Console.Error.WriteLineAsync($"ztdr-vault: {e.Message}");
            return CouldNotRun;
        }
    }

    private static string ToText(string root, RecoveryReport report, IReadOnlyList<QuarantinedFile> left)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(inv, $"recover of {root}: {report.Restored.Count} files back with their versions, {report.Rebuilt.Count} versions rebuilt, {left.Count} files left in quarantine/");
        foreach (var file in report.Restored)
        {
            text.AppendLine(inv, $"Restored {file.FileId}: {file.Size:N0} bytes, named by a version again");
        }

        foreach (var version in report.Rebuilt)
        {
            text.AppendLine(inv, $"Rebuilt {version.Bucket}/{version.Key} version {version.VersionId}: {version.File.Size:N0} bytes, ETag {version.ETag}, written {version.File.LastWrite:yyyy-MM-ddTHH:mm:ssZ}, legal hold on");
        }

        if (report.Rebuilt.Count > 0)
        {
            text.AppendLine("A data file holds only the body bytes, so rebuilt versions lack: the original bucket, key and version id; the lock (retention mode, retain-until date, legal hold); content headers and user metadata; the client's checksum; for a multipart part, its upload and position. Each is under a legal hold until an admin releases it.");
        }

        return text.ToString();
    }

    private static string ToJson(string root, RecoveryReport report, IReadOnlyList<QuarantinedFile> left)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("data", root);
            json.WriteStartArray("restored");
            foreach (var file in report.Restored)
            {
                json.WriteStartObject();
                json.WriteString("fileId", file.FileId);
                json.WriteNumber("size", file.Size);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("rebuilt");
            foreach (var version in report.Rebuilt)
            {
                json.WriteStartObject();
                json.WriteString("fileId", version.File.FileId);
                json.WriteString("bucket", version.Bucket);
                json.WriteString("key", version.Key);
                json.WriteString("versionId", version.VersionId);
                json.WriteNumber("size", version.File.Size);
                json.WriteString("etag", version.ETag);
                json.WriteString("lastWrite", version.File.LastWrite);
                json.WriteBoolean("legalHold", true);
                json.WriteStartArray("missing");
                foreach (var missing in QuarantineRecovery.Missing)
                {
                    json.WriteStringValue(missing);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("leftInQuarantine", left.Count);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
