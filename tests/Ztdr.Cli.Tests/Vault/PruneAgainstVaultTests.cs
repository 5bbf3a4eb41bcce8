using System.Security.Cryptography;
using Ztdr.Backup.Stores;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>
/// forget and prune with the ztdr executable against a real ztdr-vault. The vault's locks cannot be fast-forwarded
/// here, so every object ztdr wrote stays locked; an object written without a lock (as a foreign or broken tool might
/// leave under data/) is what can be deleted at once, and shows which key may delete.
/// </summary>
public sealed class PruneAgainstVaultTests(SharedVault vault) : VaultCliTest("cli-prune-vault", vault), IClassFixture<SharedVault>
{
    [Fact]
    public async Task Prune_WithBackupKey_FailsUpFrontInOneLine_WritesAndDeletesNothing()
    {
        var environment = await RepositoryWithForgottenSnapshotAsync("backup-key");
        await PlantUnlockedOrphanPackAsync("backup-key");
        var before = await NamesAsync("backup-key");

        var result = await CliProcess.RunAsync(environment, "prune");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.Equal("ztdr: storage refuses this key deletes of versions (HTTP 403), so prune can delete nothing: give the maintenance key's profile with --maintenance-profile or ZTDR_MAINTENANCE_PROFILE", line);
        Assert.Equal(before, await NamesAsync("backup-key"));
    }

    /// <summary>
    /// Everything locked, so there is nothing to delete yet: with the reader or backup key this exited 0, and a cron
    /// job with the wrong key looked healthy until the first lock ended. The key's role is probed before anything.
    /// </summary>
    [Theory]
    [InlineData("reader", null, "give the maintenance key's profile with --maintenance-profile or ZTDR_MAINTENANCE_PROFILE")]
    [InlineData("backup", null, "give the maintenance key's profile with --maintenance-profile or ZTDR_MAINTENANCE_PROFILE")]
    [InlineData("backup", "reader", "profile [reader] (from --maintenance-profile) is not the maintenance key; fix that setting")]
    public async Task Prune_EverythingLockedWrongKey_FailsUpFrontNamingTheSetting(string profile, string? maintenanceProfile, string hint)
    {
        var prefix = $"locked-{profile}-{maintenanceProfile ?? "none"}";
        var environment = await RepositoryWithOneSnapshotAsync(prefix);
        environment["AWS_PROFILE"] = profile;
        var before = await NamesAsync(prefix);

        var result = await CliProcess.RunAsync(environment, maintenanceProfile is null ? ["prune"] : ["prune", "--maintenance-profile", maintenanceProfile]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"ztdr: storage refuses this key deletes of versions (HTTP 403), so prune can delete nothing: {hint}", Assert.Single(CliProcess.Lines(result.StandardError)));
        Assert.Equal(before, await NamesAsync(prefix));

        environment["AWS_PROFILE"] = "backup";
        var maintenance = await CliProcess.RunAsync(environment, "prune", "--maintenance-profile", "maintenance");
        Assert.True(maintenance.ExitCode == 0, maintenance.ToString());
    }

    [Fact]
    public async Task Prune_MisspeltMaintenanceProfile_NamesTheProfilesThatExist()
    {
        var environment = Environment("misspelt");
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);

        var result = await CliProcess.RunAsync(environment, "prune", "--maintenance-profile", "maintenanse");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.Contains("no profile [maintenanse]", line, StringComparison.Ordinal);
        Assert.Contains("maintenance", line.Replace("[maintenanse]", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_WithMaintenanceKeyBeforeExpiry_DeletesOnlyUnlocked_ReportsLocked_SnapshotsIntact()
    {
        var environment = await RepositoryWithForgottenSnapshotAsync("maintenance-key");
        var orphan = await PlantUnlockedOrphanPackAsync("maintenance-key");
        var before = await NamesAsync("maintenance-key");

        var result = await CliProcess.RunAsync(environment, "prune", "--maintenance-profile", "maintenance");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("deleted 1 objects", result.StandardOutput, StringComparison.Ordinal);
        Assert.Matches("[0-9]+ objects still locked until [0-9-]+ [0-9:]+Z", result.StandardOutput);
        Assert.Equal(before.Where(n => n != orphan), await NamesAsync("maintenance-key"));

        // The forgotten snapshot is still stored (locked) but hidden; the kept one restores.
        var list = await CliProcess.RunAsync(environment, "snapshots", "--forgotten", "--json");
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(list.StandardOutput).RootElement.GetArrayLength());
        var restore = await CliProcess.RunAsync(environment, "restore", "latest", "--target", Scratch.Combine("restored"));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(File.ReadAllBytes(Scratch.Combine("source", "b.bin")), File.ReadAllBytes(BackedUpPath.Under(Scratch.Combine("restored"), Scratch.Combine("source"), "b.bin")));
    }

    [Fact]
    public async Task Prune_DryRunWithMaintenanceKey_DeletesNothing()
    {
        var environment = await RepositoryWithForgottenSnapshotAsync("dry-run");
        await PlantUnlockedOrphanPackAsync("dry-run");
        var before = await NamesAsync("dry-run");

        var result = await CliProcess.RunAsync(environment, "prune", "--dry-run", "--maintenance-profile", "maintenance");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("dry run: would delete 1 objects", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(before, await NamesAsync("dry-run"));
    }

    /// <summary>init; backup; change a file; backup; forget --keep-last 1: one kept and one forgotten snapshot.</summary>
    private async Task<Dictionary<string, string>> RepositoryWithOneSnapshotAsync(string prefix)
    {
        var environment = Environment(prefix);
        var source = Directory.CreateDirectory(Scratch.Combine("source-" + prefix)).FullName;
        File.WriteAllBytes(Path.Combine(source, "a.bin"), RandomNumberGenerator.GetBytes(10_000));
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "backup", source)).ExitCode);
        return environment;
    }

    private async Task<Dictionary<string, string>> RepositoryWithForgottenSnapshotAsync(string prefix)
    {
        var environment = Environment(prefix);
        var source = Directory.CreateDirectory(Scratch.Combine("source")).FullName;
        File.WriteAllBytes(Path.Combine(source, "a.bin"), RandomNumberGenerator.GetBytes(100_000));
        File.WriteAllBytes(Path.Combine(source, "b.bin"), RandomNumberGenerator.GetBytes(50_000));
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "backup", source)).ExitCode);
        File.WriteAllBytes(Path.Combine(source, "a.bin"), RandomNumberGenerator.GetBytes(100_000));
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "backup", source)).ExitCode);
        var forget = await CliProcess.RunAsync(environment, "forget", "--keep-last", "1");
        Assert.True(forget.ExitCode == 0, forget.ToString());
        Assert.Contains("forgot 1 snapshot", forget.StandardOutput, StringComparison.Ordinal);
        return environment;
    }

    /// <summary>A pack-named object no index lists, written with the backup key and no lock: prune may delete it now.</summary>
    private async Task<string> PlantUnlockedOrphanPackAsync(string prefix)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var name = $"data/{id[..2]}/{id}";
        using var store = Store(prefix);
        await store.PutNewAsync(name, RandomNumberGenerator.GetBytes(1000), retainUntil: null);
        Assert.Null(await store.GetRetentionAsync(name));
        return name;
    }

    private async Task<List<string>> NamesAsync(string prefix)
    {
        using var store = Store(prefix);
        var names = new List<string>();
        await foreach (var item in store.ListAsync())
        {
            names.Add(item.Name);
        }

        return names;
    }

    private S3ObjectStore Store(string prefix) => new(new S3StoreOptions
    {
        Endpoint = new Uri(Vault.Endpoint),
        Bucket = VaultProcess.DefaultBucket,
        Prefix = prefix + "/",
        CredentialsFile = Vault.CredentialsFile,
        Profile = "backup",
        CaBundle = Vault.CaBundle,
    });

    private Dictionary<string, string> Environment(string prefix) => EnvironmentFor(Vault, prefix);
}
