using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Ceph;

/// <summary>
/// Two resilience zones on two different storage systems: back up into a ztdr-vault, copy to Ceph RGW reading the
/// vault with its read-only key and writing RGW with RGW's own backup user, lose the vault, restore from RGW.
/// </summary>
public sealed class CopyVaultToRgwTests(CephRgwFixture fixture) : RgwCliTest(fixture, "rgw-copy")
{
    private const string RgwPassword = "the rgw zone has its own password";

    [Fact]
    public async Task Copy_VaultReaderToRgwBackupUser_VaultLost_RestoreFromRgwByteForByteAndVerifyClean()
    {
        var source = CreateTree(Scratch.Combine("data"), seed: 23);
        await using (var vault = await VaultProcess.StartAsync())
        {
            var zoneA = VaultCliTest.EnvironmentFor(vault, "zone-a");
            Assert.Equal(0, (await CliProcess.RunAsync(zoneA, "init", "--retention", "1d")).ExitCode);
            var backup = await CliProcess.RunAsync(zoneA, "backup", source);
            Assert.True(backup.ExitCode == 0, backup.ToString());

            var rgwBackup = EnvironmentFor(Prefix);
            rgwBackup["ZTDR_PASSWORD"] = RgwPassword;
            var init = await CliProcess.RunAsync(rgwBackup, "init", "--retention", "2d");
            Assert.True(init.ExitCode == 0, init.ToString());

            var passwordFile = Scratch.Combine("rgw-password");
            await File.WriteAllTextAsync(passwordFile, RgwPassword + "\n");
            var reader = VaultCliTest.EnvironmentFor(vault, "zone-a", "reader");
            var copy = await CliProcess.RunAsync(
                reader,
                "copy",
                "--to-repo", RepositoryUrl(Prefix),
                "--to-password-file", passwordFile,
                "--to-profile", CephRgwProcess.BackupProfile,
                "--to-credentials-file", Rgw.CredentialsFile);
            Assert.True(copy.ExitCode == 0, copy.ToString());
            Assert.StartsWith("1 snapshots copied, 0 already in the target; ", CliProcess.Lines(copy.StandardOutput)[^1], StringComparison.Ordinal);
        }

        // The vault process and its data folder are gone: only the RGW zone is left.
        var rgwReader = EnvironmentFor(Prefix, CephRgwProcess.ReaderProfile);
        rgwReader["ZTDR_PASSWORD"] = RgwPassword;
        var target = Scratch.Combine("restored");
        var restore = await CliProcess.RunAsync(rgwReader, "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var diff = await DiffAsync(source, BackedUpPath.Under(target, source));
        Assert.True(diff.ExitCode == 0, diff.ToString());

        var verify = await CliProcess.RunAsync(rgwReader, "verify", "--read-data");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.StartsWith("no errors found: 1 snapshot", verify.StandardOutput, StringComparison.Ordinal);
    }
}
