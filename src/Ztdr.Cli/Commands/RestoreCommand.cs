using System.CommandLine;
using Ztdr.Backup.Restoring;

namespace Ztdr.Cli.Commands;

/// <summary><c>ztdr restore SNAPSHOT --target DIR [--overwrite]</c>: a snapshot's files back onto disk.</summary>
internal static class RestoreCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var snapshotArgument = new Argument<string>("SNAPSHOT") { Description = "'latest', a snapshot id or a unique prefix of one (8+ hex digits)" };
        var target = new Option<string>("--target", "-t") { Description = "Folder to restore into", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace files and symlinks that already exist in the target" };
        var command = new Command("restore", "Restore a snapshot into a folder") { snapshotArgument, target, overwrite };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, async () =>
        {
            var targetPath = Path.GetFullPath(parse.GetValue(target)!);
            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken);
            var (id, snapshot) = await open.Catalog.ResolveAsync(parse.GetValue(snapshotArgument)!, cancellationToken);
            var summary = await new Restorer(open.Repository).RestoreAsync(
                snapshot, targetPath, new RestoreOptions { Overwrite = parse.GetValue(overwrite) }, cancellationToken);
            await context.Out.WriteLineAsync(
                $"snapshot {id.ToString()[..8]} restored to {targetPath}: {summary.Files} files, {summary.Dirs} dirs, "
                + $"{summary.Symlinks} symlinks, {ByteSize.Format(summary.Bytes)}");
            return 0;
        }));
        return command;
    }
}
