using System.Globalization;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>
/// Credentials and endpoints the AWS way, with the ztdr executable against a real ztdr-vault: environment keys without
/// any credentials file, environment keys winning over AWS_PROFILE, a profile ztdr's own settings choose winning over
/// environment keys, ca_bundle from the shared config file, and AWS_ENDPOINT_URL for commands that take an endpoint.
/// </summary>
public sealed class AwsConventionsAgainstVaultTests(SharedVault vault) : VaultCliTest("cli-aws-conventions", vault), IClassFixture<SharedVault>
{
    [Fact]
    public async Task Backup_EnvironmentKeysWithoutCredentialsFile_Work()
    {
        var environment = KeysOnly("env-keys", "backup");

        var init = await CliProcess.RunAsync(environment, "init", "--retention", "1d");
        var backup = await CliProcess.RunAsync(environment, "backup", Source());

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.True(backup.ExitCode == 0, backup.ToString());
    }

    [Fact]
    public async Task Backup_EnvironmentKeysAndAwsProfile_EnvironmentKeysWin()
    {
        // The reader profile could not write a repository; the backup keys in the environment can, and they win.
        var environment = EnvironmentFor(Vault, "env-wins", profile: "reader");
        var (id, secret) = Vault.Credentials("backup");
        environment["AWS_ACCESS_KEY_ID"] = id;
        environment["AWS_SECRET_ACCESS_KEY"] = secret;

        var init = await CliProcess.RunAsync(environment, "init", "--retention", "1d");

        Assert.True(init.ExitCode == 0, init.ToString());
    }

    [Fact]
    public async Task Prune_MaintenanceProfileChosen_WinsOverEnvironmentKeys()
    {
        var environment = EnvironmentFor(Vault, "chosen-wins");
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        var (id, secret) = Vault.Credentials("backup");
        environment["AWS_ACCESS_KEY_ID"] = id;
        environment["AWS_SECRET_ACCESS_KEY"] = secret;

        // The environment's backup keys may not delete; the profile the option chooses may, so the probe passes.
        var prune = await CliProcess.RunAsync(environment, "prune", "--maintenance-profile", "maintenance");

        Assert.True(prune.ExitCode == 0, prune.ToString());
    }

    [Fact]
    public async Task Init_CaBundleFromSharedConfigFile_TrustsTheVault()
    {
        var environment = EnvironmentFor(Vault, "config-ca");
        environment.Remove("AWS_CA_BUNDLE");
        var config = Scratch.Combine("aws-config");
        await File.WriteAllTextAsync(config, $"[profile other]\nregion = eu-west-1\n\n[profile backup]\nca_bundle = {Vault.CaBundle}\n");
        environment["AWS_CONFIG_FILE"] = config;

        var init = await CliProcess.RunAsync(environment, "init", "--retention", "1d");

        Assert.True(init.ExitCode == 0, init.ToString());
    }

    [Fact]
    public async Task Backup_AwsProfileMisspelt_OneLineNamingTheProfiles_NoFallThroughToEnvironmentlessDefaults()
    {
        var environment = EnvironmentFor(Vault, "misspelt", profile: "bakup");

        var init = await CliProcess.RunAsync(environment, "init", "--retention", "1d");

        Assert.Equal(1, init.ExitCode);
        var line = Assert.Single(CliProcess.Lines(init.StandardError));
        Assert.StartsWith("ztdr: access denied: no profile [bakup] in '", line, StringComparison.Ordinal);
        Assert.Contains("[backup]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assess_EndpointFromAwsEndpointUrlAndKeysFromEnvironment_Runs()
    {
        var environment = KeysOnly("assess", "backup");
        environment["AWS_ENDPOINT_URL"] = string.Format(CultureInfo.InvariantCulture, "https://127.0.0.1:{0}", Vault.Port);

        var assess = await CliProcess.RunAsync(environment, "assess", "--bucket", VaultProcess.DefaultBucket, "--json");

        // The verdict is the vault's business (no quota here fails one probe); the run itself must reach it and sign.
        Assert.True(assess.ExitCode is 0 or 1, assess.ToString());
        Assert.Contains("\"probes\"", assess.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\"Delete a locked version\"", assess.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>The repository, password and CA bundle, and the profile's keys as environment variables: no credentials file at all.</summary>
    private Dictionary<string, string> KeysOnly(string prefix, string profile)
    {
        var environment = EnvironmentFor(Vault, prefix);
        var (id, secret) = Vault.Credentials(profile);
        environment.Remove("AWS_PROFILE");
        environment["AWS_SHARED_CREDENTIALS_FILE"] = Scratch.Combine("no-such-credentials");
        environment["AWS_CONFIG_FILE"] = Scratch.Combine("no-such-config");
        environment["AWS_ACCESS_KEY_ID"] = id;
        environment["AWS_SECRET_ACCESS_KEY"] = secret;
        return environment;
    }

    private string Source()
    {
        var root = Directory.CreateDirectory(Scratch.Combine("data")).FullName;
        File.WriteAllText(Path.Combine(root, "f.txt"), "aws conventions");
        return root;
    }
}
