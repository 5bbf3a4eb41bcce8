using System.CommandLine;
using System.Text.Json;
using Ztdr.Cli.Output;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr key add</c> and <c>ztdr key list</c>: the passwords that open the repository. Each is a <c>keys/&lt;id&gt;</c>
/// object wrapping the same master key (repository-format.md § 4), written once and locked like every object, so a
/// key cannot be removed while its lock lasts.
/// </summary>
internal static class KeyCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var command = new Command("key", "Manage the passwords that open the repository") { Add(global, context), List(global, context) };
        return command;
    }

    private static Command Add(GlobalOptions global, CliContext context)
    {
        var newPasswordFile = new Option<string?>("--new-password-file") { Description = "File holding the new password (default: asked twice on the terminal)" };
        var json = new Option<bool>("--json") { Description = "Print the new key as JSON" };
        var kdf = KdfOption.Create();
        var command = new Command("add", "Add a password that also opens the repository") { newPasswordFile, kdf, json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, async () =>
        {
            var kdfParameters = KdfOption.Resolve(parse.GetValue(kdf), context);

            // The current password first (it may be prompted for too), then the new one.
            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken);
            var newPassword = NewPassword(parse.GetValue(newPasswordFile), context);
            var id = await open.Repository.AddPasswordAsync(newPassword, kdfParameters, cancellationToken);
            await context.Out.WriteLineAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(new KeyAddJson(id.ToString(), open.Repository.RunRetainUntil), CliJsonContext.Output.KeyAddJson)
                : $"added key {id.ToString()[..8]}; it is locked until {TimeText.Utc(open.Repository.RunRetainUntil)}");
            return 0;
        }));
        return command;
    }

    private static Command List(GlobalOptions global, CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print the keys as a JSON array" };
        var command = new Command("list", "List the repository's keys, oldest first") { json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, async () =>
        {
            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken);
            var keys = open.Repository.KeyObjects.OrderBy(k => k.Value.Created).ThenBy(k => k.Key.ToString(), StringComparer.Ordinal).ToList();
            if (parse.GetValue(json))
            {
                await context.Out.WriteLineAsync(JsonSerializer.Serialize(
                    [.. keys.Select(k => new KeyJson(k.Key.ToString(), k.Value.Created))],
                    CliJsonContext.Output.IReadOnlyListKeyJson));
                return 0;
            }

            var rows = keys.Select(k => (IReadOnlyList<string>)
            [
                k.Key.ToString()[..8],
                TimeText.Utc(k.Value.Created),
                $"argon2id m={k.Value.Kdf.MemoryKiB}KiB t={k.Value.Kdf.Iterations} p={k.Value.Kdf.Parallelism}",
            ]).ToList();
            string[] header = ["ID", "Created", "KDF"];
            if (SnapshotsCommand.IsTerminal(context))
            {
                SnapshotsCommand.WriteTerminalTable(context, header, rows);
            }
            else
            {
                await PlainTable.WriteAsync(context.Out, header, rows);
            }

            await context.Out.WriteLineAsync($"{rows.Count} key{(rows.Count == 1 ? "" : "s")}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The new password: from <paramref name="file"/>, else typed twice on the terminal. Never from
    /// <c>ZTDR_PASSWORD</c> or the password file options: those hold the password that opens the repository now.
    /// </summary>
    private static string NewPassword(string? file, CliContext context)
    {
        if (file is not null)
        {
            return ReadFile(file);
        }

        if (context.Prompt is not { } prompt)
        {
            throw new CliException("key add needs the new password: use --new-password-file, or run on a terminal to be asked");
        }

        var typed = prompt.ReadPassword("enter the new password: ");
        if (typed.Length == 0)
        {
            throw new CliException("an empty password is not allowed");
        }

        return prompt.ReadPassword("enter the new password again: ") == typed
            ? typed
            : throw new CliException("the two passwords differ; nothing was done");
    }

    /// <summary>The file's text without one trailing line break, as for <c>--password-file</c>.</summary>
    private static string ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, System.Text.Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the new password file '{path}': {e.Message}");
        }

        text = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        return text.Length > 0 ? text : throw new CliException($"the new password file '{path}' is empty");
    }
}
