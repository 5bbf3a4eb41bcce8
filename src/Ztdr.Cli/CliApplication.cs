using System.CommandLine;
using Ztdr.Cli.Commands;

namespace Ztdr.Cli;

/// <summary>The command tree and its invocation; <c>Program.cs</c> only binds it to the process.</summary>
internal static class CliApplication
{
    public static RootCommand CreateRoot(CliContext context)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("ztdr: encrypted, deduplicated backups into S3 with Object Lock, every object compliance-locked")
        {
            InitCommand.Create(global, context),
            BackupCommand.Create(global, context),
            SnapshotsCommand.Create(global, context),
            RestoreCommand.Create(global, context),
            VerifyCommand.Create(global, context),
            LsCommand.Create(global, context),
            ForgetCommand.Create(global, context),
            PruneCommand.Create(global, context),
            KeyCommand.Create(global, context),
            AssessCommand.Create(context),
            CopyCommand.Create(global, context),
            ZonesCommand.Create(global, context),
            StatusCommand.Create(global, context),
        };
        root.Options.Add(global.Repository);
        root.Options.Add(global.PasswordFile);
        root.Options.Add(global.Zone);
        root.Options.Add(global.Config);
        root.Options.Add(global.CacheDir);
        root.Options.Add(global.NoCache);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var parse = CreateRoot(context).Parse(args);

        // A command line that does not parse has no command to ask; "--json" anywhere before "--" is the request.
        var end = Array.IndexOf(args, "--");
        var json = (end < 0 ? args : args[..end]).Contains("--json", StringComparer.Ordinal);
        if (UnknownOption(parse, args) is { } unknown)
        {
            await context.Error.WriteLineAsync(CommandErrors.Line($"unrecognized option '{unknown}' (see '{CommandPath(parse.CommandResult)} --help')", CommandErrors.Usage, json));
            return CommandErrors.Usage;
        }

        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            return CommandErrors.ReportParseErrors(context, parse, json);
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error }, cancellationToken);
    }

    /// <summary>
    /// A token that looks like an option but matched none. System.CommandLine hands such a token to a command's
    /// arguments when it has any (<c>backup --exclude '*.gz' DIR</c> would back up a folder named "--exclude";
    /// <c>forget --keep-dayly 7</c> would look for snapshots "--keep-dayly" and "7"), so every command refuses it before it
    /// touches anything. After <c>--</c> a dashed argument is taken as written, as in restic and POSIX utilities.
    /// </summary>
    private static string? UnknownOption(ParseResult parse, string[] args)
    {
        var end = Array.IndexOf(args, "--");
        var beforeEnd = end < 0 ? args : args[..end];
        for (var command = parse.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
        {
            foreach (var argument in command.Children.OfType<System.CommandLine.Parsing.ArgumentResult>())
            {
                foreach (var token in argument.Tokens)
                {
                    if (token.Value.Length > 1 && token.Value[0] == '-' && beforeEnd.Contains(token.Value, StringComparer.Ordinal))
                    {
                        return token.Value;
                    }
                }
            }
        }

        foreach (var error in parse.Errors)
        {
            // "Unrecognized command or argument '--bogus'" from System.CommandLine itself: the same one line.
            if (System.Text.RegularExpressions.Regex.Match(error.Message, "^Unrecognized command or argument '(-[^']*)'") is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }

        return null;
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult command)
    {
        var names = new List<string>();
        for (var current = command; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(current.Command is RootCommand ? "ztdr" : current.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
