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
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var parse = CreateRoot(context).Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            return CommandErrors.ReportParseErrors(context, parse);
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error }, cancellationToken);
    }
}
