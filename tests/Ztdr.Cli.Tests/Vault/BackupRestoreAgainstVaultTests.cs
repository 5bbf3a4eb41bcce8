using System.Text.Json;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>init, backup, snapshots and restore with the ztdr executable against a real ztdr-vault, backup profile.</summary>
public sealed class BackupRestoreAgainstVaultTests() : VaultCliTest("cli-roundtrip")
{
    [Fact]
    public async Task InitBackupSnapshotsRestore_RoundTripsBytesAndSymlink_SecondBackupAddsNothing()
    {
        var environment = Environment("s3:https://127.0.0.1:{0}/backups/roundtrip");
        var source = CreateSourceTree(Scratch.Combine("data"));

        var init = await CliProcess.RunAsync(environment, "init", "--retention", "1d");
        Assert.True(init.ExitCode == 0, init.ToString());

        var first = await CliProcess.RunAsync(environment, "backup", "--json", source);
        Assert.True(first.ExitCode == 0, first.ToString());
        using (var summary = JsonDocument.Parse(first.StandardOutput))
        {
            Assert.Equal(5, summary.RootElement.GetProperty("files").GetInt64());
            Assert.True(summary.RootElement.GetProperty("addedBytes").GetInt64() > 3 * 1024 * 1024);
            Assert.Empty(summary.RootElement.GetProperty("errors").EnumerateArray());
        }

        var list = await CliProcess.RunAsync(environment, "snapshots", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        using (var snapshots = JsonDocument.Parse(list.StandardOutput))
        {
            var snapshot = Assert.Single(snapshots.RootElement.EnumerateArray());
            Assert.Equal(source, Assert.Single(snapshot.GetProperty("paths").EnumerateArray()).GetString());
            Assert.Matches("^[0-9a-f]{64}$", snapshot.GetProperty("id").GetString());
        }

        var target = Scratch.Combine("restored");
        var restore = await CliProcess.RunAsync(environment, "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        AssertSameTree(source, BackedUpPath.Under(target, source));

        var second = await CliProcess.RunAsync(environment, "backup", "--json", source);
        Assert.True(second.ExitCode == 0, second.ToString());
        using (var summary = JsonDocument.Parse(second.StandardOutput))
        {
            // No file data: the restore added a folder next to the source, which changed the metadata of the folder
            // above it, so only the trees from the root down to that folder's are new (one per folder above the source).
            Assert.Equal(0, summary.RootElement.GetProperty("bytesRead").GetInt64());
            Assert.Equal(BackedUpPath.FoldersAbove(source), summary.RootElement.GetProperty("newBlobs").GetInt64());
        }
    }

    [Fact]
    public async Task Backup_PlainSummaryLine_ThenSnapshotsTableAndRestoreByPrefix()
    {
        var environment = Environment("s3:https://127.0.0.1:{0}/backups/plain");
        var source = CreateSourceTree(Scratch.Combine("plain"));
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);

        var backup = await CliProcess.RunAsync(environment, "backup", source);

        Assert.True(backup.ExitCode == 0, backup.ToString());
        var match = System.Text.RegularExpressions.Regex.Match(
            backup.StandardOutput, "^snapshot ([0-9a-f]{8}) saved: 5 files, 4 dirs, 3\\.1 MiB read, 3\\.1 MiB added, locked until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\n$");
        Assert.True(match.Success, backup.ToString());

        var table = await CliProcess.RunAsync(environment, "snapshots");
        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = CliProcess.Lines(table.StandardOutput);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(match.Groups[1].Value + "  ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(source, lines[1], StringComparison.Ordinal);

        var target = Scratch.Combine("plain-restored");
        var restore = await CliProcess.RunAsync(environment, "restore", match.Groups[1].Value, "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        AssertSameTree(source, BackedUpPath.Under(target, source));

        var again = await CliProcess.RunAsync(environment, "restore", "latest", "--target", target);
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("ztdr: ", Assert.Single(CliProcess.Lines(again.StandardError)), StringComparison.Ordinal);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "restore", "latest", "--target", target, "--overwrite")).ExitCode);
    }

    [Fact]
    public async Task Restore_UnknownSnapshot_FailsInOneLine()
    {
        var environment = Environment("s3:https://127.0.0.1:{0}/backups/unknown");
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);

        var result = await CliProcess.RunAsync(environment, "restore", "latest", "--target", Scratch.Combine("nothing"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no snapshots yet", Assert.Single(CliProcess.Lines(result.StandardError)), StringComparison.Ordinal);
    }

    /// <summary>Five files (0 B, 1 B, 10 KiB, 100 KiB, 3 MiB), a nested empty folder and a relative symlink.</summary>
    private static string CreateSourceTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "sub", "empty", "deeper"));
        var random = new Random(42);
        foreach (var (name, size) in new[] { ("zero", 0), ("one", 1), ("ten-k", 10 * 1024), ("sub/hundred-k", 100 * 1024), ("sub/three-m", 3 * 1024 * 1024) })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(root, name), bytes);
        }

        File.CreateSymbolicLink(Path.Combine(root, "link"), "sub/three-m");
        return root;
    }

    private static void AssertSameTree(string expected, string actual)
    {
        Assert.True(Directory.Exists(Path.Combine(actual, "sub", "empty", "deeper")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(actual, "sub", "empty", "deeper")));
        foreach (var name in new[] { "zero", "one", "ten-k", "sub/hundred-k", "sub/three-m" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(expected, name)), File.ReadAllBytes(Path.Combine(actual, name)));
        }

        var link = new FileInfo(Path.Combine(actual, "link"));
        Assert.Equal("sub/three-m", link.LinkTarget);
    }

    private Dictionary<string, string> Environment(string repositoryFormat) => new()
    {
        ["ZTDR_REPOSITORY"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, repositoryFormat, Vault.Port),
        ["ZTDR_PASSWORD"] = "correct horse battery staple",
        ["AWS_SHARED_CREDENTIALS_FILE"] = Vault.CredentialsFile,
        ["AWS_PROFILE"] = "backup",
        ["AWS_CA_BUNDLE"] = Vault.CaBundle,
    };
}
