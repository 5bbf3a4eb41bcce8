using System.Globalization;
using System.Text.Json;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Zones;

/// <summary>
/// One zone entry with a profile per purpose, with the ztdr executable against a real ztdr-vault: commands that write
/// use <c>profile</c>, commands that only read use <c>readProfile</c>. A read profile that does not exist shows which
/// commands read with it (they fail naming it) and which do not (they work).
/// </summary>
public sealed class ZoneProfilesAgainstVaultTests() : VaultCliTest("cli-zone-profiles")
{
    [Fact]
    public async Task Zone_ReadProfile_UsedByReadCommandsOnly()
    {
        var environment = await ZoneFileAsync(readProfile: "no-such-reader");
        var source = Directory.CreateDirectory(Scratch.Combine("data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "f.txt"), "zone profiles");
        await OkAsync(environment, "--zone", "a", "init", "--retention", "1d");
        await OkAsync(environment, "--zone", "a", "backup", source);
        await OkAsync(environment, "--zone", "a", "verify");

        foreach (var read in new[] { new[] { "snapshots" }, ["ls", "latest"], ["restore", "latest", "--target", Scratch.Combine("out")] })
        {
            var result = await CliProcess.RunAsync(environment, ["--zone", "a", .. read]);
            Assert.True(result.ExitCode == 1, $"{read[0]}: {result}");
            Assert.Contains("no profile [no-such-reader]", Assert.Single(CliProcess.Lines(result.StandardError)), StringComparison.Ordinal);
        }

        var status = await CliProcess.RunAsync(environment, "status", "--json");
        Assert.Contains("no profile [no-such-reader]", JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("zones")[0].GetProperty("error").GetString(), StringComparison.Ordinal);

        // With the vault's reader key as the read profile every read works; the reader key could not have written.
        environment = await ZoneFileAsync(readProfile: "reader");
        await OkAsync(environment, "--zone", "a", "snapshots");
        await OkAsync(environment, "--zone", "a", "restore", "latest", "--target", Scratch.Combine("out"));
        Assert.Single(Directory.GetFiles(Scratch.Combine("out"), "f.txt", SearchOption.AllDirectories));
        var listed = await CliProcess.RunAsync(environment, "zones", "list", "--json");
        Assert.Equal("reader", JsonDocument.Parse(listed.StandardOutput).RootElement[0].GetProperty("readProfile").GetString());
    }

    private async Task<Dictionary<string, string>> ZoneFileAsync(string readProfile)
    {
        var passwordFile = Scratch.Combine("password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        var zone = new Dictionary<string, object>
        {
            ["name"] = "a",
            ["repository"] = string.Format(CultureInfo.InvariantCulture, "s3:https://127.0.0.1:{0}/{1}/zone-profiles", Vault.Port, VaultProcess.DefaultBucket),
            ["credentialsFile"] = Vault.CredentialsFile,
            ["caBundle"] = Vault.CaBundle,
            ["profile"] = "backup",
            ["readProfile"] = readProfile,
            ["passwordFile"] = passwordFile,
        };
        var config = Scratch.Combine("config");
        Directory.CreateDirectory(Path.Combine(config, "ztdr"));
        await File.WriteAllTextAsync(Path.Combine(config, "ztdr", "zones.json"), JsonSerializer.Serialize(new Dictionary<string, object> { ["zones"] = new[] { zone } }));
        return new Dictionary<string, string>
        {
            ["XDG_CONFIG_HOME"] = config,
            ["XDG_STATE_HOME"] = Scratch.Combine("state"),
            ["ZTDR_S3_MAX_RETRIES"] = "0",
        };
    }

    private static async Task OkAsync(Dictionary<string, string> environment, params string[] args)
    {
        var result = await CliProcess.RunAsync(environment, args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
    }
}
