using System.Text.Json;
using Ztdr.Cli.Commands;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>verify in process, against a folder repository damaged on disk, and its report formats.</summary>
public sealed class VerifyCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-verify");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Verify_CleanFolderRepository_ExitZero_AllClearLine_NotImmutableWarning()
    {
        await InitAndBackupAsync();
        var test = Context();

        var exit = await test.RunAsync("verify", "--read-data");

        Assert.True(exit == 0, test.Error.ToString());
        Assert.Matches(@"^no errors found: 1 snapshot, [1-9]\d* packs?, [1-9]\d* blobs?, \d+\.\d KiB read\n$", test.Out.ToString());
        // Opening any folder repository warns once; verify adds what that means for its own check.
        var warning = Assert.Single(ErrorLines(test), l => l.Contains("lock coverage", StringComparison.Ordinal));
        Assert.StartsWith("ztdr: warning: storage is not immutable", warning, StringComparison.Ordinal);
        Assert.Contains("lock coverage cannot be verified", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PackTamperedOnDisk_ReadDataExitsOneNamingPackSnapshotAndFile()
    {
        var snapshot = await InitAndBackupAsync();
        var pack = TamperLargestPack();
        var test = Context();

        var exit = await test.RunAsync("verify", "--read-data");

        Assert.Equal(CommandErrors.Failed, exit);
        var lines = CliProcess.Lines(test.Out.ToString());
        Assert.StartsWith("Error", lines[0], StringComparison.Ordinal);
        var row = Assert.Single(lines, l => l.StartsWith("blob-damaged", StringComparison.Ordinal));
        Assert.Contains(pack, row, StringComparison.Ordinal);
        Assert.Contains(snapshot[..8], row, StringComparison.Ordinal);
        Assert.Contains("    " + _directory.Combine("src", "big.bin"), lines);
        Assert.DoesNotContain("    " + _directory.Combine("src", "small.txt"), lines);
        Assert.Equal("1 error found, 1 of 1 snapshots affected", lines[^1]);

        var structureOnly = Context();
        Assert.Equal(0, await structureOnly.RunAsync("verify"));
    }

    [Fact]
    public async Task Verify_Json_ListsFindingsWithFullIdsAndPaths()
    {
        var snapshot = await InitAndBackupAsync();
        var pack = TamperLargestPack();
        var test = Context();

        Assert.Equal(CommandErrors.Failed, await test.RunAsync("verify", "--read-data-subset", "100%", "--json"));

        using var document = JsonDocument.Parse(test.Out.ToString());
        var root = document.RootElement;
        Assert.Equal(1, root.GetProperty("errors").GetInt32());
        Assert.False(root.GetProperty("lockCoverageChecked").GetBoolean());
        Assert.Single(root.GetProperty("warnings").EnumerateArray());
        var finding = Assert.Single(root.GetProperty("findings").EnumerateArray());
        Assert.Equal("blob-damaged", finding.GetProperty("kind").GetString());
        Assert.Equal(pack, finding.GetProperty("object").GetString());
        Assert.Equal(snapshot, Assert.Single(finding.GetProperty("snapshots").EnumerateArray()).GetString());
        Assert.Equal(_directory.Combine("src", "big.bin"), Assert.Single(finding.GetProperty("paths").EnumerateArray()).GetString());
    }

    [Theory]
    [InlineData("0%")]
    [InlineData("3/2")]
    [InlineData("half")]
    public async Task Verify_BadSubset_UsageErrorInOneLine(string subset)
    {
        var test = Context();

        Assert.Equal(CommandErrors.Usage, await test.RunAsync("verify", "--read-data-subset", subset));

        var line = Assert.Single(ErrorLines(test));
        Assert.StartsWith("ztdr: --read-data-subset: ", line, StringComparison.Ordinal);
        Assert.Contains($"'{subset}'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ToText_Findings_TableWithPathsAndHowManyMore()
    {
        var snapshot = "0123456789abcdef" + new string('e', 48);
        var report = new VerifyOutcome(
            [new FindingOutcome("pack-missing", "data/ab/ab" + new string('0', 62), "the index lists it but storage does not hold it", [snapshot], ["/a", "/b"], 3)],
            [],
            Snapshots: 2,
            Packs: 5,
            Blobs: 9,
            LockCoverageChecked: true,
            PacksRead: 0,
            BytesRead: 0);

        var lines = CliProcess.Lines(VerifyCommand.ToText(report));

        Assert.Equal(6, lines.Length);
        Assert.Matches(@"^Error +Object +Snapshots +Detail$", lines[0]);
        Assert.Matches(@"^pack-missing +data/ab/ab0+ +01234567 +the index lists it", lines[1]);
        Assert.Equal(["    /a", "    /b", "    ... and 3 more"], lines[2..5]);
        Assert.Equal("1 error found, 1 of 2 snapshots affected", lines[5]);
    }

    /// <summary>A folder repository with one snapshot of src/ (a 256 KiB random file and a small one); returns the snapshot id.</summary>
    private async Task<string> InitAndBackupAsync()
    {
        var source = _directory.Combine("src");
        Directory.CreateDirectory(source);
        var big = new byte[256 * 1024];
        new Random(7).NextBytes(big);
        await File.WriteAllBytesAsync(Path.Combine(source, "big.bin"), big);
        await File.WriteAllTextAsync(Path.Combine(source, "small.txt"), "small");
        Assert.Equal(0, await Context().RunAsync("init", "--retention", "1d"));
        var backup = Context();
        Assert.Equal(0, await backup.RunAsync("backup", "--json", source));
        using var summary = JsonDocument.Parse(backup.Out.ToString());
        return summary.RootElement.GetProperty("snapshot").GetString()!;
    }

    /// <summary>Flips a byte in the middle of the largest pack file (the one holding big.bin); returns its object name.</summary>
    private string TamperLargestPack()
    {
        var objects = _directory.Combine("repo", "objects");
        var file = new DirectoryInfo(Path.Combine(objects, "data")).EnumerateFiles("*", SearchOption.AllDirectories).MaxBy(f => f.Length)!;
        File.SetUnixFileMode(file.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = File.ReadAllBytes(file.FullName);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(file.FullName, bytes);
        return Path.GetRelativePath(objects, file.FullName).Replace('\\', '/');
    }

    private TestContext Context() =>
        new(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") });

    private static string[] ErrorLines(TestContext test) => CliProcess.Lines(test.Error.ToString());
}
