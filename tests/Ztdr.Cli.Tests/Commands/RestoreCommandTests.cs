using System.Text.Json;
using Ztdr.Cli.Commands;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>restore in process, against a folder repository holding one backup of a small tree.</summary>
public sealed class RestoreCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-restore");

    public RestoreCommandTests()
    {
        Directory.CreateDirectory(_directory.Combine("data", "sub", "empty"));
        File.WriteAllText(_directory.Combine("data", "a.txt"), "alpha");
        File.WriteAllText(_directory.Combine("data", "sub", "b.log"), "bravo");
        File.CreateSymbolicLink(_directory.Combine("data", "link"), "a.txt");
    }

    private string Out => _directory.Combine("out");

    private string Data => _directory.Combine("data");

    // Where a path under the backed-up folder lands: under its absolute path in the target.
    private string Restored(params string[] below) => BackedUpPath.Under(Out, Data, below);

    // Paths relative to the target: the folders above the backed-up folder, then it and what is below it.
    private IEnumerable<string> RelativeAbove => BackedUpPath.Above(Data).Select(p => p.TrimStart('/'));

    private string Relative(string below) => BackedUpPath.InSnapshot(Data, below);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Restore_Latest_WritesTreeAndOneSummaryLine()
    {
        await BackupAsync();
        var test = Context();

        var exit = await test.RunAsync("restore", "latest", "--target", Out);

        Assert.Equal(0, exit);
        var line = Assert.Single(Lines(test.Out));
        Assert.StartsWith("snapshot ", line, StringComparison.Ordinal);
        Assert.EndsWith($"restored to {Out}: 2 files, {3 + BackedUpPath.FoldersAbove(Data)} dirs, 1 symlinks, 0 hard links, 10 B", line, StringComparison.Ordinal);
        Assert.Equal("alpha", await File.ReadAllTextAsync(Restored("a.txt")));
        Assert.Equal("bravo", await File.ReadAllTextAsync(Restored("sub", "b.log")));
        Assert.Equal("a.txt", new FileInfo(Restored("link")).LinkTarget);
        Assert.True(Directory.Exists(Restored("sub", "empty")));
        Assert.Empty(Errors(test));
    }

    [Fact]
    public async Task Restore_Json_PrintsSummaryObject()
    {
        await BackupAsync();
        var test = Context();

        Assert.Equal(0, await test.RunAsync("restore", "latest", "--target", Out, "--json"));

        using var document = JsonDocument.Parse(test.Out.ToString());
        var root = document.RootElement;
        Assert.Equal(64, root.GetProperty("snapshot").GetString()!.Length);
        Assert.Equal(Out, root.GetProperty("target").GetString());
        Assert.Equal(2, root.GetProperty("files").GetInt64());
        Assert.Equal(3 + BackedUpPath.FoldersAbove(Data), root.GetProperty("dirs").GetInt64());
        Assert.Equal(1, root.GetProperty("symlinks").GetInt64());
        Assert.Equal(0, root.GetProperty("hardLinks").GetInt64());
        Assert.Equal(10, root.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Restore_IncludeAndExcludeRepeated_RestoresOnlyTheSelection()
    {
        await BackupAsync();
        var test = Context();

        // An anchored pattern names the absolute path in the snapshot, as restic's do.
        var exit = await test.RunAsync("restore", "latest", "--target", Out, "--include", "*.txt", "--include", Data + "/sub", "--exclude", "empty");

        Assert.Equal(0, exit);
        var restored = Directory.EnumerateFileSystemEntries(Out, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Out, p)).Order(StringComparer.Ordinal);
        Assert.Equal([.. RelativeAbove, Relative(""), Relative("a.txt"), Relative("sub"), Relative("sub/b.log")], restored);
    }

    [Fact]
    public async Task Restore_ExistingFile_FailsInOneLineNamingItAndWritesNothing()
    {
        await BackupAsync();
        var victim = Restored("sub", "b.log");
        Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
        await File.WriteAllTextAsync(victim, "mine");
        var test = Context();

        var exit = await test.RunAsync("restore", "latest", "--target", Out);

        Assert.Equal(CommandErrors.Failed, exit);
        var line = Assert.Single(Errors(test));
        Assert.StartsWith("ztdr: ", line, StringComparison.Ordinal);
        Assert.Contains(victim, line, StringComparison.Ordinal);
        Assert.Contains("--overwrite", line, StringComparison.Ordinal);
        Assert.Empty(test.Out.ToString());
        Assert.Equal("mine", await File.ReadAllTextAsync(victim));
        Assert.False(File.Exists(Restored("a.txt")));
    }

    [Fact]
    public async Task Restore_ExistingFileWithOverwrite_ReplacesIt()
    {
        await BackupAsync();
        var victim = Restored("sub", "b.log");
        Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
        await File.WriteAllTextAsync(victim, "mine");

        Assert.Equal(0, await Context().RunAsync("restore", "latest", "--target", Out, "--overwrite"));

        Assert.Equal("bravo", await File.ReadAllTextAsync(victim));
    }

    [Fact]
    public async Task Restore_PatternClimbingOut_IsUsageErrorInOneLine()
    {
        await BackupAsync();
        var test = Context();

        var exit = await test.RunAsync("restore", "latest", "--target", Out, "--include", "../etc");

        Assert.Equal(CommandErrors.Usage, exit);
        Assert.Contains("'../etc'", Assert.Single(Errors(test)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Restore_ReaderKeyAgainstVault_IncludedEntriesByteForByte()
    {
        await using var vault = await VaultProcess.StartAsync();
        var repository = $"s3:{vault.Endpoint}/{VaultProcess.DefaultBucket}/restore-cli";
        Assert.Equal(0, await VaultContext(vault, repository, "backup").RunAsync("init", "--retention", "1d"));
        Assert.Equal(0, await VaultContext(vault, repository, "backup").RunAsync("backup", _directory.Combine("data")));

        // The reader key can read and list, nothing else: a restore needs no more.
        var test = VaultContext(vault, repository, "reader");
        var exit = await test.RunAsync("restore", "latest", "--target", Out, "--include", Data + "/sub", "--json");

        Assert.True(exit == 0, test.Error.ToString());
        using var document = JsonDocument.Parse(test.Out.ToString());
        Assert.Equal(1, document.RootElement.GetProperty("files").GetInt64());
        var restored = Directory.EnumerateFileSystemEntries(Out, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Out, p)).Order(StringComparer.Ordinal);
        Assert.Equal([.. RelativeAbove, Relative(""), Relative("sub"), Relative("sub/b.log"), Relative("sub/empty")], restored);
        Assert.Equal("bravo", await File.ReadAllTextAsync(Restored("sub", "b.log")));
    }

    [Fact]
    public void ProgressLines_AtMostOncePerSecond_PercentRateAndEta_NothingAfterFinish()
    {
        var time = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var error = new StringWriter();
        var context = new CliContext(_ => null, new StringWriter(), error, null, time);
        var progress = new RestoreCommand.ProgressLines(context);

        progress.Show(1, 4, 512, 4096);
        time.Advance(TimeSpan.FromSeconds(2));
        progress.Show(1, 4, 1024, 4096);
        progress.Show(2, 4, 2048, 4096);
        time.Advance(TimeSpan.FromSeconds(5));
        progress.Finish();
        progress.Show(4, 4, 4096, 4096);

        // 1 KiB of 4 KiB in 2 s: 25%, 512 B/s, and 3 KiB left at that rate is 6 s.
        Assert.Equal(["progress: 1 of 4 files, 1.0 KiB of 4.0 KiB (25%), 512 B/s, ETA 00:06"], Lines(error));
    }

    private async Task BackupAsync()
    {
        Assert.Equal(0, await Context().RunAsync("init", "--retention", "1d"));
        Assert.Equal(0, await Context().RunAsync("backup", Data));
    }

    private static TestContext VaultContext(VaultProcess vault, string repository, string profile)
    {
        var environment = vault.ClientEnvironment(profile);
        environment["ZTDR_REPOSITORY"] = repository;
        environment["ZTDR_PASSWORD"] = "pw";
        return new TestContext(environment);
    }

    private TestContext Context() =>
        new(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") });

    // A folder repository always warns that it is not immutable, and a run closes with its elapsed time (a real clock
    // here); the lines that matter are the others.
    private static string[] Errors(TestContext test) =>
        [.. Lines(test.Error).Where(l => !l.StartsWith("ztdr: warning: ", StringComparison.Ordinal) && !l.StartsWith("progress: ", StringComparison.Ordinal))];

    private static string[] Lines(StringWriter writer) => writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
