using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;
using Ztdr.Cli.Output;
using BackupRepository = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr ls SNAPSHOT [PATH] [-l] [--json]</c>: the paths of a snapshot, all of them or those at and under PATH, one
/// per line; <c>-l</c> adds mode, owner, size and modification time (restic's long format), <c>--json</c> prints one
/// JSON object per line. Paths are as restore lays them out under its target: absolute, as backed up (snapshot format
/// 2), so a backup of <c>/srv/data</c> lists <c>/srv</c>, <c>/srv/data</c>, <c>/srv/data/a.txt</c>; a format 1 snapshot
/// lists each backed-up path under its last component (<c>/data/a.txt</c>).
/// </summary>
internal static class LsCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var snapshotArgument = new Argument<string>("SNAPSHOT") { Description = "'latest', a snapshot id or a unique prefix of one (8+ hex digits)" };
        var pathArgument = new Argument<string?>("PATH") { Description = "List only this path and what is under it (default: everything)", Arity = ArgumentArity.ZeroOrOne };
        var longFormat = new Option<bool>("--long", "-l") { Description = "Show mode, owner, size and modification time" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per path" };
        var command = new Command("ls", "List the files and folders in a snapshot") { snapshotArgument, pathArgument, longFormat, json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, async () =>
        {
            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken, readOnly: true);
            var (id, snapshot) = await open.Catalog.ResolveAsync(parse.GetValue(snapshotArgument)!, cancellationToken);
            var format = parse.GetValue(json) ? Format.Json : parse.GetValue(longFormat) ? Format.Long : Format.Short;
            return await ListAsync(context, open.Repository, id, snapshot.Tree, parse.GetValue(pathArgument), format, cancellationToken);
        }));
        return command;
    }

    internal enum Format
    {
        Short,
        Long,
        Json,
    }

    /// <summary>Lists what is at and under <paramref name="path"/>; a folder that cannot be read is one error line and exit 1, the rest is still listed.</summary>
    internal static async Task<int> ListAsync(
        CliContext context, BackupRepository repository, ObjectId snapshotId, BlobId root, string? path, Format format, CancellationToken cancellationToken)
    {
        var components = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var start = root;
        var prefix = "";
        foreach (var (component, i) in components.Select((c, i) => (c, i)))
        {
            var tree = await Tree.LoadAsync(repository, start, cancellationToken);
            var node = tree.Nodes.FirstOrDefault(n => n.DisplayName == component);
            prefix += "/" + component;
            if (node is null || (i < components.Length - 1 && node.Type != NodeType.Dir))
            {
                throw new KeyNotFoundException($"'/{string.Join('/', components)}' is not in snapshot {snapshotId.ToString()[..8]}; 'ztdr ls {snapshotId.ToString()[..8]}' lists what is.");
            }

            if (i == components.Length - 1)
            {
                await context.Out.WriteLineAsync(Line(prefix, node, format));
            }

            if (node is { Type: NodeType.Dir, Subtree: { } subtree })
            {
                start = subtree;
            }
            else
            {
                return 0;
            }
        }

        var exitCode = 0;
        await foreach (var entry in TreeWalker.WalkAsync(repository, start, cancellationToken: cancellationToken))
        {
            var entryPath = prefix + "/" + entry.Path;
            if (entry.Error is { } error)
            {
                await context.Error.WriteLineAsync($"ztdr: error: cannot read folder {(entry.Path.Length == 0 ? prefix + "/" : entryPath)}: {error.Message}");
                exitCode = CommandErrors.Failed;
                continue;
            }

            await context.Out.WriteLineAsync(Line(entryPath, entry.Node!, format));
        }

        return exitCode;
    }

    internal static string Line(string path, TreeNode node, Format format) => format switch
    {
        Format.Long => LongLine(path, node),
        Format.Json => JsonLine(path, node),
        _ => path,
    };

    /// <summary>"drwxr-xr-x  1000  1000      4096 2026-01-01 12:00:00Z /etc", "-> target" after a symlink.</summary>
    private static string LongLine(string path, TreeNode node)
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{Permissions(node)} {Id(node.Uid),5} {Id(node.Gid),5} {node.Size ?? 0,12} {TimeText.Utc(Mtime(node))} {path}");
        return node.Type == NodeType.Symlink ? $"{line} -> {node.LinkTarget}" : line;
    }

    private static string JsonLine(string path, TreeNode node) => JsonSerializer.Serialize(
        new LsJson(
            path,
            node.DisplayName,
            node.Type switch { NodeType.Dir => "dir", NodeType.Symlink => "symlink", _ => "file" },
            node.Mode,
            Permissions(node),
            node.Uid,
            node.Gid,
            node.Size,
            Mtime(node),
            node.LinkTarget),
        CliJsonContext.Output.LsJson);

    private static string Id(uint? id) => id?.ToString(CultureInfo.InvariantCulture) ?? "?";

    private static DateTimeOffset Mtime(TreeNode node) => DateTimeOffset.UnixEpoch.AddTicks(node.MtimeNs / 100);

    /// <summary>ls -l permissions: type, then rwx for owner, group, others, with s/S for setuid/setgid and t/T for sticky.</summary>
    private static string Permissions(TreeNode node) =>
        Permissions(node.Type switch { NodeType.Dir => 'd', NodeType.Symlink => 'l', _ => '-' }, node.Mode);

    /// <summary><paramref name="type"/> ('d', 'l' or '-') and the POSIX bits of <paramref name="mode"/>.</summary>
    internal static string Permissions(char type, uint mode)
    {
        Span<char> text = stackalloc char[10];
        text[0] = type;
        for (var who = 0; who < 3; who++)
        {
            var bits = (mode >> (6 - (3 * who))) & 7;
            text[1 + (3 * who)] = (bits & 4) != 0 ? 'r' : '-';
            text[2 + (3 * who)] = (bits & 2) != 0 ? 'w' : '-';
            var execute = (bits & 1) != 0;
            var special = (mode & (0x800u >> who)) != 0;
            text[3 + (3 * who)] = (special, execute, who) switch
            {
                (true, true, 2) => 't',
                (true, false, 2) => 'T',
                (true, true, _) => 's',
                (true, false, _) => 'S',
                (false, true, _) => 'x',
                _ => '-',
            };
        }

        return new string(text);
    }
}
