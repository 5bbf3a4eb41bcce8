using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Ztdr.Backup;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Stores;
using Ztdr.Cli.Output;

namespace Ztdr.Cli.Commands;

/// <summary>
/// The one place where failures become what the user sees: one line on stderr starting "ztdr: " and a non-zero exit,
/// never a stack trace; under <c>--json</c> that line is an <see cref="ErrorJson"/> object instead, with the same
/// exit code. Exit codes: 1 the operation failed, 2 the command line or environment is wrong, 130 interrupted, 70 a
/// bug (an exception nobody expected).
/// </summary>
internal static class CommandErrors
{
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Bug = 70;
    public const int Interrupted = 130;

    /// <summary>Set to any value to get the full exception of a failure, with its causes (for bug reports).</summary>
    public const string DebugVariable = "ZTDR_DEBUG";

    /// <summary>Runs a command's action; its failure is a JSON object when the command line asked for <c>--json</c>.</summary>
    public static Task<int> RunAsync(CliContext context, ParseResult parse, Func<Task<int>> command) =>
        RunAsync(context, command, JsonRequested(parse));

    public static async Task<int> RunAsync(CliContext context, Func<Task<int>> command, bool json = false)
    {
        try
        {
            return await command();
        }
        catch (OperationCanceledException)
        {
            return await ReportAsync(context, "interrupted", Interrupted, json);
        }
        catch (Exception e) when (Translate(e) is { } known)
        {
            // A known failure is one line; with the debug variable set, its causes (the transport error under a store
            // error) come first, for a bug report about a failure that should have been retried.
            if (context.Variable(DebugVariable) is not null)
            {
                await context.Error.WriteLineAsync(e.ToString());
            }

            return await ReportAsync(context, known.Message, known.ExitCode, json);
        }
        catch (Exception e)
        {
            // The process boundary: anything else is a bug, still reported as one line unless asked for detail.
            if (context.Variable(DebugVariable) is not null)
            {
                await context.Error.WriteLineAsync(e.ToString());
            }

            return await ReportAsync(context, $"unexpected {e.GetType().Name}: {e.Message} (this is a bug; rerun with {DebugVariable}=1 for details)", Bug, json);
        }
    }

    /// <summary>Parse errors (unknown option, missing value, missing command) as one line, like every other failure.</summary>
    public static int ReportParseErrors(CliContext context, ParseResult parse, bool json)
    {
        var messages = string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')));
        context.Error.WriteLine(Line($"{messages} (see 'ztdr --help')", Usage, json));
        return Usage;
    }

    /// <summary>The one line a failure prints: <c>ztdr: message</c>, or under <c>--json</c> the <see cref="ErrorJson"/> object.</summary>
    public static string Line(string message, int exitCode, bool json) => json
        ? JsonSerializer.Serialize(new ErrorJson(new ErrorDetailJson(OneLine(message), exitCode)), CliJsonContext.Output.ErrorJson)
        : $"ztdr: {OneLine(message)}";

    /// <summary>Whether the command that ran has a <c>--json</c> option and it was given.</summary>
    public static bool JsonRequested(ParseResult parse) =>
        parse.CommandResult.Command.Options.OfType<Option<bool>>().FirstOrDefault(o => o.Name == "--json") is { } option && parse.GetValue(option);

    /// <summary>The message and exit code for a failure ztdr knows, or null for an unexpected one.</summary>
    internal static (string Message, int ExitCode)? Translate(Exception e) => e switch
    {
        CliException => (e.Message, Usage),
        CommandFailedException => (e.Message, Failed),
        ObjectStoreException store => ($"{KindText(store.Kind)}: {store.Message}", Failed),
        WrongPasswordException => ($"wrong password: {e.Message}", Failed),
        RepositoryFormatException => ($"the repository holds data ztdr cannot read: {e.Message}", Failed),
        CryptographicIntegrityException => ($"integrity check failed (data was altered or damaged): {e.Message}", Failed),
        CryptographicException => ($"cryptography failed: {e.Message}", Failed),
        KeyNotFoundException => (e.Message, Failed),
        ArgumentException argument => (WithoutParameterName(argument), Usage),
        IOException or UnauthorizedAccessException => (e.Message, Failed),
        _ => null,
    };

    private static async Task<int> ReportAsync(CliContext context, string message, int exitCode, bool json)
    {
        await context.Error.WriteLineAsync(Line(message, exitCode, json));
        return exitCode;
    }

    private static string KindText(StoreErrorKind kind) => kind switch
    {
        StoreErrorKind.NotFound => "not found",
        StoreErrorKind.AccessDenied => "access denied",
        StoreErrorKind.AlreadyExists => "already exists",
        StoreErrorKind.Unavailable => "storage unavailable",
        StoreErrorKind.Rejected => "rejected by storage",
        StoreErrorKind.Damaged => "integrity check failed (data was altered or damaged)",
        _ => "storage error",
    };

    // ArgumentException appends " (Parameter 'name')": a name from the code, meaningless to the user.
    private static string WithoutParameterName(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
