using System.CommandLine;
using System.Globalization;
using System.Text;
using Ztdr.Vault.Audit;

namespace Ztdr.Vault.Host.Commands;

/// <summary>
/// <c>audit verify</c> and <c>audit tail</c>: both read the audit folder's files directly and never write, so they
/// run with the vault stopped or serving.
/// </summary>
internal static class AuditCommand
{
    /// <summary>Exit code when the chain itself is bad, apart from 1 (could not run at all) for monitoring scripts.</summary>
    public const int ChainBroken = 2;

    public static Command Create() => new("audit", "Check and read the hash-chained audit log") { CreateVerify(), CreateTail(), AuditCheckpointsCommand.Create() };

    private static Command CreateVerify()
    {
        var data = new Option<string>("--data") { Description = "The vault's data folder", Required = true };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Signed checkpoints kept off the host (audit checkpoints export): the chain must extend every one" };
        var publicKey = new Option<string?>("--public-key") { Description = "The checkpoint public key kept off the host (default: the one in the data folder, which root could replace)" };
        var command = new Command("verify", "Verify the whole audit chain, and with --checkpoints that it extends every signed checkpoint; exit 0 if intact, 2 naming the first bad record or checkpoint") { data, checkpoints, publicKey };
        command.SetAction((parse, _) => CommandErrors.RunAsync(() =>
        {
            if (parse.GetValue(checkpoints) is { } file)
            {
                return Task.FromResult(AuditCheckpointsCommand.Verify(AuditDirectory(parse.GetValue(data)!), file, parse.GetValue(publicKey)));
            }

            if (parse.GetValue(publicKey) is not null)
            {
                throw new ArgumentException("--public-key verifies checkpoints: give --checkpoints FILE too");
            }

            var result = AuditLog.Verify(AuditDirectory(parse.GetValue(data)!));
            if (result.Ok)
            {
                Console.WriteLine($"audit chain verified: {result.Records} records, head {result.HeadHash}");
                return Task.FromResult(0);
            }

            Console.Error.WriteLine($"ztdr-vault: audit chain broken ({result.Defect!.Kind}) at {result.Defect} (records verified before it: {result.Records})");
            return Task.FromResult(ChainBroken);
        }));
        return command;
    }

    private static Command CreateTail()
    {
        var data = new Option<string>("--data") { Description = "The vault's data folder", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "How many of the last records to show", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print each record as stored, one JSON object per line (hashes included)" };
        var command = new Command("tail", "Show the last audit records and the head hash (does not verify the chain)") { data, count, json };
        command.SetAction((parse, _) => CommandErrors.RunAsync(() =>
        {
            var records = AuditLog.Tail(AuditDirectory(parse.GetValue(data)!), parse.GetValue(count));
            if (parse.GetValue(json))
            {
                foreach (var record in records)
                {
                    Console.WriteLine(record.ToJson());
                }
            }
            else
            {
                Console.Write(Table(records));
            }

            return Task.FromResult(0);
        }));
        return command;
    }

    internal static string AuditDirectory(string data) => Path.Combine(data, AuditLog.DirectoryName);

    private static string Table(IReadOnlyList<AuditRecord> records)
    {
        if (records.Count == 0)
        {
            return "the audit log has no records\n";
        }

        var rows = new List<string[]> { new[] { "SEQ", "TIME (UTC)", "PRINCIPAL", "OPERATION", "BUCKET/KEY [VERSION]", "OUTCOME" } };
        rows.AddRange(records.Select(record => new[]
        {
            record.Sequence.ToString(CultureInfo.InvariantCulture),
            record.Event.TrustedTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            Printable(record.Event.Principal),
            Printable(record.Event.Operation),
            Printable(Target(record.Event)),
            Printable(record.Event.Outcome),
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendJoin("  ", row.Select((cell, column) => column == row.Length - 1 ? cell : cell.PadRight(widths[column]))).Append('\n');
        }

        var last = records[^1];
        text.Append(CultureInfo.InvariantCulture, $"head: record {last.Sequence}, hash {last.Hash}\n");
        return text.ToString();
    }

    private static string Target(AuditEvent auditEvent)
    {
        var target = auditEvent.Bucket ?? "-";
        if (auditEvent.Key is not null)
        {
            target += "/" + auditEvent.Key;
        }

        return auditEvent.VersionId is null ? target : $"{target} [{auditEvent.VersionId}]";
    }

    /// <summary>
    /// Keys and principals come from requests: a control character (an ANSI escape) or a bidi override must not reach
    /// the terminal and disguise a row.
    /// </summary>
    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format
            ? $"\\u{(int)c:x4}"
            : c.ToString()));
}
