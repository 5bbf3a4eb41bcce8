using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Faults;

/// <summary>
/// Restore into a file system that fills up (docs/reliability.md § 2b): a 16 MiB tmpfs the test mounts (root, as in
/// CI) and a 24 MiB snapshot. The restore stops in one line naming the problem and the path, exit 1, with no file
/// half-written under its real name and no temporary file left; with room made it restores byte for byte.
/// </summary>
public sealed class RestoreDiskFullTests() : VaultCliTest("restore-disk-full")
{
    [Fact]
    public async Task Restore_TargetFileSystemFull_OneLineNoPartialOrTemporaryFile_RestoresOnceThereIsRoom()
    {
        var environment = FaultEnvironment.For(Vault, "full");
        var source = FaultEnvironment.CreateIncompressibleTree(Scratch.Combine("data"), 3, 8 * 1024 * 1024);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "backup", source)).ExitCode);
        var mount = Scratch.Combine("small");
        Directory.CreateDirectory(mount);
        await MountAsync("-t", "tmpfs", "-o", "size=16m", "tmpfs", mount);
        try
        {
            var target = Path.Combine(mount, "restored");

            var failed = await CliProcess.RunAsync(environment, "restore", "latest", "--target", target);

            Assert.True(failed.ExitCode == 1, failed.ToString());
            Assert.Empty(failed.StandardOutput);
            var line = Assert.Single(FaultEnvironment.ZtdrLines(failed));
            Assert.Contains("No space left on device", line, StringComparison.Ordinal);
            Assert.Contains(BackedUpPath.Under(target, source), line, StringComparison.Ordinal);
            FaultEnvironment.AssertNoPartialFiles(source, BackedUpPath.Under(target, source));

            // Room made on the same file system (what an operator does); nothing of the failed run is in the way.
            await MountAsync("-o", "remount,size=64m", mount);
            var restored = await CliProcess.RunAsync(environment, "restore", "latest", "--target", target);

            Assert.True(restored.ExitCode == 0, restored.ToString());
            FaultEnvironment.AssertSameFiles(source, BackedUpPath.Under(target, source));
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", ["-l", mount], timeout: TimeSpan.FromSeconds(30));
        }
    }

    private static async Task MountAsync(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync("mount", arguments, timeout: TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, "mount (needs root, as in CI): " + result);
    }
}
