using Ztdr.Cli.Commands;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Zones;

/// <summary>copy in process between two folder repositories with different passwords.</summary>
public sealed class CopyCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-copy");

    public void Dispose() => _directory.Dispose();

    private string Source => _directory.Combine("src");

    private string TargetRepository => _directory.Combine("target");

    private string TargetPasswordFile => _directory.Combine("target-password");

    [Fact]
    public async Task Copy_AllSnapshots_TargetRestoresByteForByte_SecondCopyAddsNothing()
    {
        await InitBothAndBackupAsync();
        var copy = SourceContext();

        var exit = await copy.RunAsync("copy", "--to-repo", TargetRepository, "--to-password-file", TargetPasswordFile);

        Assert.True(exit == 0, copy.Error.ToString());
        var lines = CliProcess.Lines(copy.Out.ToString());
        Assert.Matches("^copied snapshot [0-9a-f]{8} as [0-9a-f]{8}$", lines[0]);
        Assert.StartsWith("1 snapshots copied, 0 already in the target; ", lines[^1], StringComparison.Ordinal);

        var restore = TargetContext();
        Assert.True(await restore.RunAsync("restore", "latest", "--target", _directory.Combine("out")) == 0, restore.Error.ToString());
        var restored = BackedUpPath.Under(_directory.Combine("out"), Source);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Source, "big.bin")), await File.ReadAllBytesAsync(Path.Combine(restored, "big.bin")));
        Assert.Equal("small", await File.ReadAllTextAsync(Path.Combine(restored, "small.txt")));

        var again = SourceContext();
        Assert.Equal(0, await again.RunAsync("copy", "--to-repo", TargetRepository, "--to-password-file", TargetPasswordFile));
        Assert.Equal("0 snapshots copied, 1 already in the target; 0 blobs (0 B) added", Assert.Single(CliProcess.Lines(again.Out.ToString())));
    }

    [Fact]
    public async Task Copy_WrongTargetPassword_OneLineNonZero_NothingWritten()
    {
        await InitBothAndBackupAsync();
        var wrong = _directory.Combine("wrong");
        await File.WriteAllTextAsync(wrong, "not-it\n");
        var before = Directory.GetFiles(TargetRepository, "*", SearchOption.AllDirectories).Length;
        var copy = SourceContext();

        var exit = await copy.RunAsync("copy", "--to-repo", TargetRepository, "--to-password-file", wrong);

        Assert.NotEqual(0, exit);
        Assert.Single(CliProcess.Lines(copy.Error.ToString()), l => l.StartsWith("ztdr: ", StringComparison.Ordinal) && !l.Contains("warning", StringComparison.Ordinal));
        Assert.Equal(before, Directory.GetFiles(TargetRepository, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task Copy_ToItself_Refused()
    {
        await InitBothAndBackupAsync();
        var samePassword = _directory.Combine("same");
        await File.WriteAllTextAsync(samePassword, "pw\n");
        var copy = SourceContext();

        var exit = await copy.RunAsync("copy", "--to-repo", _directory.Combine("repo"), "--to-password-file", samePassword);

        Assert.Equal(CommandErrors.Usage, exit);
        Assert.Contains("is the source repository itself", copy.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_NoTarget_UsageError()
    {
        var copy = SourceContext();

        Assert.Equal(CommandErrors.Usage, await copy.RunAsync("copy"));
        Assert.Equal("ztdr: no target repository: use --to-repo or --to-zone", Assert.Single(CliProcess.Lines(copy.Error.ToString())));
    }

    private async Task InitBothAndBackupAsync()
    {
        Directory.CreateDirectory(Source);
        var big = new byte[256 * 1024];
        new Random(7).NextBytes(big);
        await File.WriteAllBytesAsync(Path.Combine(Source, "big.bin"), big);
        await File.WriteAllTextAsync(Path.Combine(Source, "small.txt"), "small");
        await File.WriteAllTextAsync(TargetPasswordFile, "target-pw\n");
        Assert.Equal(0, await SourceContext().RunAsync("init", "--retention", "1d"));
        Assert.Equal(0, await TargetContext().RunAsync("init", "--retention", "2d"));
        Assert.Equal(0, await SourceContext().RunAsync("backup", Source));
    }

    private TestContext SourceContext() =>
        new(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") });

    private TestContext TargetContext() =>
        new(new Dictionary<string, string> { ["ZTDR_PASSWORD_FILE"] = TargetPasswordFile, ["ZTDR_REPOSITORY"] = TargetRepository });
}
