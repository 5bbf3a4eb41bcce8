using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit.Abstractions;
using Ztdr.Cli.Tests.Faults;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Hostile;

/// <summary>
/// Issue 11, end to end: the attacker holds the backup key of a real ztdr-vault and writes into the repository's
/// bucket with AWSSDK.S3 as the aws CLI would (PUT over a name, locked far ahead, without <c>If-None-Match</c>; a
/// DELETE that leaves a delete marker). The owner's ztdr, with the same key, still lists, backs up and restores the
/// authentic repository byte for byte; it warns in one line per impostor, and verify exits 1 naming each one.
/// </summary>
public sealed class HostileStorageAgainstVaultTests(ITestOutputHelper output) : VaultCliTest("hostile-storage")
{
    private const string Prefix = "victim";

    /// <summary>
    /// The client's defence is shown where storage does not protect names: any S3 with Object Lock, or a vault bucket
    /// made with CreateBucket. The bucket <c>init --bucket</c> makes refuses these PUTs at the source (write-once
    /// names, <c>WriteOnceNameAttackTests</c>); delete markers it still allows, as S3 does.
    /// </summary>
    protected override IReadOnlyList<string> InitArguments => ["--no-write-once"];

    [Fact]
    public async Task Commands_ConfigOverwrittenWithGarbageByBackupKey_WorkOnAuthenticConfigAndVerifyNamesIt()
    {
        var (environment, source) = await InitAndBackupAsync();
        var impostor = await PutAsAttackerAsync("config", "garbage"u8.ToArray());

        var snapshots = await RunAsync(environment, "snapshots", "--json");
        Assert.True(snapshots.ExitCode == 0, snapshots.ToString());
        Assert.Single(JsonDocument.Parse(snapshots.StandardOutput).RootElement.EnumerateArray());
        Assert.Contains(FaultEnvironment.ZtdrLines(snapshots), l => l.Contains("impostor", StringComparison.Ordinal) && l.Contains("config", StringComparison.Ordinal) && l.Contains(impostor, StringComparison.Ordinal));

        await AssertRestoresAsync(environment, source);

        var verify = await RunAsync(environment, "verify");
        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains(CliProcess.Lines(verify.StandardOutput), l => l.StartsWith("impostor", StringComparison.Ordinal) && l.Contains("config", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Commands_AnotherRepositorysSnapshotPlanted_SkipItAndBackupStillWorks()
    {
        var (environment, source) = await InitAndBackupAsync();

        // A second repository in the same bucket: its snapshot is valid ztdr data, sealed under another master key.
        var other = FaultEnvironment.For(Vault, "other");
        other["ZTDR_PASSWORD"] = "another password";
        Assert.Equal(0, (await RunAsync(other, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await RunAsync(other, "backup", source)).ExitCode);
        var (foreignKey, _) = (await FaultEnvironment.ListAsync(Vault, "other/snapshots/")).Single();
        using (var client = Vault.CreateClient("backup"))
        using (var foreign = await client.GetObjectAsync(VaultProcess.DefaultBucket, foreignKey))
        using (var bytes = new MemoryStream())
        {
            await foreign.ResponseStream.CopyToAsync(bytes);
            await PutAsAttackerAsync(foreignKey["other/".Length..], bytes.ToArray());
        }

        var snapshots = await RunAsync(environment, "snapshots", "--json");
        Assert.True(snapshots.ExitCode == 0, snapshots.ToString());
        Assert.Single(JsonDocument.Parse(snapshots.StandardOutput).RootElement.EnumerateArray());

        var backup = await RunAsync(environment, "backup", source);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        await AssertRestoresAsync(environment, source);

        var verify = await RunAsync(environment, "verify");
        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains(CliProcess.Lines(verify.StandardOutput), l => l.StartsWith("impostor", StringComparison.Ordinal) && l.Contains(foreignKey["other/".Length..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task RestoreLatest_NewestSnapshotHiddenByDeleteMarker_RestoresTheNewestAndWarns()
    {
        var (environment, source) = await InitAndBackupAsync();
        File.WriteAllText(Path.Combine(source, "added-later.txt"), "only in the newest snapshot");
        var second = await RunAsync(environment, "backup", "--json", source);
        Assert.True(second.ExitCode == 0, second.ToString());
        var newest = JsonDocument.Parse(second.StandardOutput).RootElement.GetProperty("snapshot").GetString()!;
        using (var client = Vault.CreateClient("backup"))
        {
            await client.DeleteObjectAsync(VaultProcess.DefaultBucket, $"{Prefix}/snapshots/{newest}");
        }

        var target = await AssertRestoresAsync(environment, source);

        Assert.True(File.Exists(BackedUpPath.Under(target, source, "added-later.txt")));
    }

    [Fact]
    public async Task Prune_ImpostorInStorage_RefusesUnlessIgnored()
    {
        var (environment, _) = await InitAndBackupAsync();
        await PutAsAttackerAsync("index/" + new string('a', 64), "not an index"u8.ToArray());

        var prune = await RunAsync(environment, "prune", "--maintenance-profile", "maintenance");
        Assert.True(prune.ExitCode == 1, prune.ToString());
        Assert.Contains("--ignore-impostors", prune.StandardError, StringComparison.Ordinal);
        Assert.Contains("nothing was deleted", prune.StandardError, StringComparison.Ordinal);

        var ignoring = await RunAsync(environment, "prune", "--maintenance-profile", "maintenance", "--ignore-impostors");
        Assert.True(ignoring.ExitCode == 0, ignoring.ToString());
    }

    private async Task<(Dictionary<string, string> Environment, string Source)> InitAndBackupAsync()
    {
        var environment = FaultEnvironment.For(Vault, Prefix);
        var source = FaultEnvironment.CreateIncompressibleTree(Scratch.Combine("source"), 3, 100 * 1024);
        var init = await RunAsync(environment, "init", "--retention", "1d");
        Assert.True(init.ExitCode == 0, init.ToString());
        var backup = await RunAsync(environment, "backup", source);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        return (environment, source);
    }

    /// <summary>What the stolen backup key can do: a plain PUT over a repository name, locked far ahead. Returns the new version id.</summary>
    private async Task<string> PutAsAttackerAsync(string name, byte[] body)
    {
        using var client = Vault.CreateClient("backup");
        var response = await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = VaultProcess.DefaultBucket,
            Key = $"{Prefix}/{name}",
            InputStream = new MemoryStream(body),
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = DateTime.UtcNow.AddDays(2),
        });
        return response.VersionId;
    }

    private async Task<string> AssertRestoresAsync(Dictionary<string, string> environment, string source)
    {
        var target = Scratch.Combine("restored-" + Guid.NewGuid().ToString("N")[..8]);
        var restore = await RunAsync(environment, "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        FaultEnvironment.AssertSameFiles(source, BackedUpPath.Under(target, source));
        return target;
    }

    private async Task<ProcessResult> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        var result = await CliProcess.RunAsync(environment, args);
        output.WriteLine($"$ ztdr {string.Join(' ', args)}\n{result}");
        return result;
    }
}
