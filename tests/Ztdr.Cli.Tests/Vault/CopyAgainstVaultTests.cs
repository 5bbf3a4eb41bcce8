using System.Globalization;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>
/// Two resilience zones as two real ztdr-vault processes: back up into zone A, copy to zone B reading A with the
/// read-only profile, lose zone A entirely, and restore from B.
/// </summary>
public sealed class CopyAgainstVaultTests() : VaultCliTest("cli-copy-zones")
{
    private const string ZoneBPassword = "zone b has its own password";

    [Fact]
    public async Task Copy_ReaderOnSourceBackupOnTarget_ZoneALost_RestoreFromZoneBByteForByte()
    {
        await using var zoneB = await VaultProcess.StartAsync();
        var source = Scratch.Combine("data");
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        var big = new byte[(3 * 1024 * 1024) + 777];
        new Random(5).NextBytes(big);
        await File.WriteAllBytesAsync(Path.Combine(source, "big.bin"), big);
        await File.WriteAllTextAsync(Path.Combine(source, "sub", "note.txt"), "zone test");

        var zoneA = EnvironmentFor(Vault, "zone-a");
        Assert.Equal(0, (await CliProcess.RunAsync(zoneA, "init", "--retention", "1d")).ExitCode);
        var backup = await CliProcess.RunAsync(zoneA, "backup", source);
        Assert.True(backup.ExitCode == 0, backup.ToString());

        var zoneBBackup = EnvironmentFor(zoneB, "zone-b");
        zoneBBackup["ZTDR_PASSWORD"] = ZoneBPassword;
        var init = await CliProcess.RunAsync(zoneBBackup, "init", "--retention", "2d");
        Assert.True(init.ExitCode == 0, init.ToString());

        var passwordFile = Scratch.Combine("zone-b-password");
        await File.WriteAllTextAsync(passwordFile, ZoneBPassword + "\n");
        var zoneBUrl = string.Format(CultureInfo.InvariantCulture, "s3:https://127.0.0.1:{0}/{1}/zone-b", zoneB.Port, VaultProcess.DefaultBucket);
        var copy = await CliProcess.RunAsync(
            EnvironmentFor(Vault, "zone-a", "reader"),
            "copy",
            "--to-repo", zoneBUrl,
            "--to-password-file", passwordFile,
            "--to-profile", "backup",
            "--to-credentials-file", zoneB.CredentialsFile,
            "--to-ca-bundle", zoneB.CaBundle);
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.StartsWith("1 snapshots copied, 0 already in the target; ", CliProcess.Lines(copy.StandardOutput)[^1], StringComparison.Ordinal);

        await Vault.StopAsync();
        Directory.Delete(Vault.DataDirectory, recursive: true);

        var zoneBReader = EnvironmentFor(zoneB, "zone-b", "reader");
        zoneBReader["ZTDR_PASSWORD"] = ZoneBPassword;
        var target = Scratch.Combine("restored");
        var restore = await CliProcess.RunAsync(zoneBReader, "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(big, await File.ReadAllBytesAsync(BackedUpPath.Under(target, source, "big.bin")));
        Assert.Equal("zone test", await File.ReadAllTextAsync(BackedUpPath.Under(target, source, "sub", "note.txt")));

        var verify = await CliProcess.RunAsync(zoneBReader, "verify", "--read-data");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }
}
