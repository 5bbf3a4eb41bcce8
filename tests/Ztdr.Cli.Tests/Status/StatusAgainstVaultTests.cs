using System.Globalization;
using System.Text.Json;
using Amazon.S3.Model;
using Ztdr.Cli.Tests.Faults;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Status;

/// <summary>
/// <c>ztdr status</c>, verification records and <c>prune --zone</c> with the ztdr executable against real ztdr-vault
/// processes: zone a on the test's vault, zone b (off-site) on a second one.
/// </summary>
public sealed class StatusAgainstVaultTests() : VaultCliTest("cli-status")
{
    private const string ZoneBPassword = "zone b has its own password";

    [Fact]
    public async Task Status_TwoZones_MetOnlyAfterBackupCopyAndCleanVerifyOnBoth_BrokenByVerifyErrorsAndUnreachableZone()
    {
        await using var vaultB = await VaultProcess.StartAsync();
        var environment = await ZonesAsync(("a", Vault, "backup", false), ("b", vaultB, "backup", true));
        var source = CreateSource();
        await RunOkAsync(environment, "--zone", "a", "init", "--retention", "1d");
        await RunOkAsync(environment, "--zone", "b", "init", "--retention", "1d");
        await RunOkAsync(environment, "--zone", "a", "backup", source);

        // Both zones hold the backup, but neither has been verified yet: not met, on the "0 errors" part alone.
        await RunOkAsync(environment, "--zone", "a", "copy", "--to-zone", "b");
        var copied = await StatusJsonAsync(environment, expectedExit: 1);
        Assert.Equal(["a", "b"], copied.GetProperty("holdingZones").EnumerateArray().Select(z => z.GetString()));
        Assert.Equal(3, Rule(copied, "copies").GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, copied.GetProperty("zones")[0].GetProperty("lastVerification").ValueKind);
        Assert.True(Rule(copied, "copies").GetProperty("met").GetBoolean());
        Assert.Equal(2, Rule(copied, "media").GetProperty("count").GetInt32());
        Assert.Equal(1, Rule(copied, "offsite").GetProperty("count").GetInt32());
        Assert.Equal(2, Rule(copied, "immutable").GetProperty("count").GetInt32());
        Assert.False(Rule(copied, "errors").GetProperty("met").GetBoolean());

        // Verified with the backup key: the record goes into each repository, locked, and the rule holds.
        await RunOkAsync(environment, "--zone", "a", "verify");
        await RunOkAsync(environment, "--zone", "b", "verify", "--read-data");
        var met = await StatusJsonAsync(environment, expectedExit: 0);
        Assert.True(met.GetProperty("met").GetBoolean());
        var zoneB = met.GetProperty("zones")[1];
        Assert.Equal("b", zoneB.GetProperty("name").GetString());
        Assert.True(zoneB.GetProperty("offsite").GetBoolean());
        Assert.Equal(1, zoneB.GetProperty("snapshots").GetInt32());
        Assert.Equal("COMPLIANCE", zoneB.GetProperty("lock").GetProperty("mode").GetString());
        Assert.True(zoneB.GetProperty("lock").GetProperty("covers").GetBoolean());
        var verification = zoneB.GetProperty("lastVerification");
        Assert.Equal("repository", verification.GetProperty("recordedIn").GetString());
        Assert.Equal("all", verification.GetProperty("readData").GetString());
        Assert.Equal(1.0, verification.GetProperty("readDataFraction").GetDouble());
        Assert.Equal(0, verification.GetProperty("errors").GetInt32());
        Assert.Equal(
            met.GetProperty("newestSnapshot").GetProperty("id").GetString(),
            met.GetProperty("zones")[0].GetProperty("newestSnapshot").GetProperty("id").GetString());
        using (var client = vaultB.CreateClient("backup"))
        {
            var records = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = VaultProcess.DefaultBucket, Prefix = "zone-b/verifications/" });
            var record = Assert.Single(records.S3Objects);
            var retention = await client.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = VaultProcess.DefaultBucket, Key = record.Key });
            Assert.Equal("COMPLIANCE", retention.Retention.Mode.Value);
        }

        var text = await CliProcess.RunAsync(environment, "status");
        Assert.True(text.ExitCode == 0, text.ToString());
        var lines = CliProcess.Lines(text.StandardOutput);
        Assert.StartsWith("Zone", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("clean", lines[1], StringComparison.Ordinal);
        Assert.Equal("3-2-1-1-0: met", lines[^1]);

        // One zone alone is not 3-2-1-1-0, however healthy.
        var single = await CliProcess.RunAsync(environment, "--zone", "a", "status");
        Assert.True(single.ExitCode == 1, single.ToString());
        Assert.Contains("3 copies: NO", single.StandardOutput, StringComparison.Ordinal);

        // A damaged pack in zone b: its next verify fails, and status follows the last verification.
        await TamperLargestPackAsync(vaultB, "zone-b");
        var failed = await CliProcess.RunAsync(environment, "--zone", "b", "verify", "--read-data");
        Assert.True(failed.ExitCode == 1, failed.ToString());
        var broken = await StatusJsonAsync(environment, expectedExit: 1);
        Assert.Equal(1, Rule(broken, "errors").GetProperty("count").GetInt32());
        Assert.True(broken.GetProperty("zones")[1].GetProperty("lastVerification").GetProperty("errors").GetInt32() > 0);
        Assert.True(Rule(broken, "copies").GetProperty("met").GetBoolean());

        // A zone nobody answers for: its row carries the error, the others are still read, exit 2.
        environment = await ZonesAsync(("a", Vault, "backup", false), ("b", vaultB, "backup", true), ("gone", null, "backup", true));
        var unreachableText = await CliProcess.RunAsync(environment, "status");
        Assert.True(unreachableText.ExitCode == 2, unreachableText.ToString());
        Assert.Equal("", unreachableText.StandardError);
        Assert.Contains(CliProcess.Lines(unreachableText.StandardOutput), l => l.StartsWith("a ", StringComparison.Ordinal) && l.EndsWith(" clean", StringComparison.Ordinal));
        Assert.Contains(CliProcess.Lines(unreachableText.StandardOutput), l => l.StartsWith("gone ", StringComparison.Ordinal) && l.Contains("unreadable: storage unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_OneRepositoryListedTwice_CountedOnceNotOffsite_NamesTheEntries()
    {
        // One repository in two zone entries: the backup key via 127.0.0.1, the reader key via localhost and marked
        // off-site. Counted by entry this was "3-2-1-1-0: met" (3 copies, 2 media, 1 off-site) with a single copy.
        var environment = await ZonesAsync(("primary", Vault, "backup", false), ("primary-ro", Vault, "reader", true));
        var zonesFile = Path.Combine(environment["XDG_CONFIG_HOME"], "ztdr", "zones.json");
        var zones = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(zonesFile))!;
        zones["zones"]![1]!["repository"] = string.Format(CultureInfo.InvariantCulture, "s3:https://localhost:{0}/{1}/zone-primary", Vault.Port, VaultProcess.DefaultBucket);
        await File.WriteAllTextAsync(zonesFile, zones.ToJsonString());
        await RunOkAsync(environment, "--zone", "primary", "init", "--retention", "1d");
        await RunOkAsync(environment, "--zone", "primary", "backup", CreateSource());
        await RunOkAsync(environment, "--zone", "primary", "verify");

        var status = await StatusJsonAsync(environment, expectedExit: 1);

        Assert.False(status.GetProperty("met").GetBoolean());
        Assert.Equal(2, Rule(status, "copies").GetProperty("count").GetInt32());
        Assert.Equal(1, Rule(status, "media").GetProperty("count").GetInt32());
        Assert.Equal(0, Rule(status, "offsite").GetProperty("count").GetInt32());
        Assert.Equal(1, Rule(status, "immutable").GetProperty("count").GetInt32());
        Assert.True(Rule(status, "errors").GetProperty("met").GetBoolean());
        var same = Assert.Single(status.GetProperty("sameRepository").EnumerateArray());
        Assert.Equal(["primary", "primary-ro"], same.GetProperty("zones").EnumerateArray().Select(z => z.GetString()));
        Assert.True(same.GetProperty("offsiteDisagrees").GetBoolean());
        Assert.Equal(same.GetProperty("repositoryId").GetString(), status.GetProperty("zones")[1].GetProperty("repositoryId").GetString());

        var text = await CliProcess.RunAsync(environment, "status");
        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Contains(
            $"same repository ({same.GetProperty("repositoryId").GetString()![..8]}): primary, primary-ro; counted as one copy, not off-site: only some of these entries are marked \"offsite\": true",
            CliProcess.Lines(text.StandardOutput));
        Assert.Equal("3-2-1-1-0: NOT met", CliProcess.Lines(text.StandardOutput)[^1]);
    }

    [Fact]
    public async Task Verify_ReaderKey_RecordsOnThisHostInOneLine_StatusReadsIt_BackupKeyRecordsInRepository()
    {
        var environment = await ZonesAsync(("a", Vault, "reader", false));
        var backup = EnvironmentFor(Vault, "zone-a");
        backup["ZTDR_PASSWORD"] = Password;
        await RunOkAsync(backup, "init", "--retention", "1d");
        await RunOkAsync(backup, "backup", CreateSource());

        var verify = await CliProcess.RunAsync(environment, "--zone", "a", "verify");

        Assert.True(verify.ExitCode == 0, verify.ToString());

        // Progress lines come every 5 s on a non-terminal, so how many there are depends on the machine's load; the
        // one line this test is about is ztdr's own.
        var line = Assert.Single(CliProcess.Lines(verify.StandardError), l => !l.StartsWith("progress: ", StringComparison.Ordinal));
        var stateFolder = Path.Combine(environment["XDG_STATE_HOME"], "ztdr", "verifications");
        var stateFile = Assert.Single(Directory.GetFiles(stateFolder));
        Assert.Equal($"ztdr: result recorded on this host only, in {stateFile} (this key cannot write to the repository)", line);
        var status = await StatusJsonAsync(environment, expectedExit: 1);
        var recorded = status.GetProperty("zones")[0].GetProperty("lastVerification");
        Assert.Equal("host", recorded.GetProperty("recordedIn").GetString());
        Assert.True(recorded.GetProperty("clean").GetBoolean());
        Assert.Equal("none", recorded.GetProperty("readData").GetString());

        // The backup key writes the record into the repository: one object, and status prefers the newer record.
        var withBackupKey = await CliProcess.RunAsync(backup, "verify");
        Assert.True(withBackupKey.ExitCode == 0, withBackupKey.ToString());
        // No line of ztdr's own (the record went to the repository); progress lines depend on the machine's load.
        Assert.DoesNotContain(CliProcess.Lines(withBackupKey.StandardError), l => !l.StartsWith("progress: ", StringComparison.Ordinal));
        var after = await StatusJsonAsync(environment, expectedExit: 1);
        Assert.Equal("repository", after.GetProperty("zones")[0].GetProperty("lastVerification").GetProperty("recordedIn").GetString());
    }

    [Fact]
    public async Task PruneZone_DeletesWithTheZonesMaintenanceProfile_KeepsLockedAndVerificationRecords()
    {
        var environment = await ZonesAsync(("a", Vault, "backup", false));
        var source = CreateSource();
        await RunOkAsync(environment, "--zone", "a", "init", "--retention", "1d");
        await RunOkAsync(environment, "--zone", "a", "backup", source);
        await RunOkAsync(environment, "--zone", "a", "verify");
        var orphan = await PlantUnlockedOrphanPackAsync("zone-a");
        var before = await NamesAsync("zone-a");

        // Without a maintenance profile the zone's backup key may not delete: one line pointing at the zone file.
        var refused = await CliProcess.RunAsync(environment, "--zone", "a", "prune");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("\"maintenanceProfile\" in the zone file", Assert.Single(CliProcess.Lines(refused.StandardError)), StringComparison.Ordinal);
        Assert.Equal(before, await NamesAsync("zone-a"));

        environment = await ZonesAsync(("a", Vault, "backup", false, "maintenance"));
        var prune = await CliProcess.RunAsync(environment, "--zone", "a", "prune");

        Assert.True(prune.ExitCode == 0, prune.ToString());
        Assert.Contains("deleted 1 objects", prune.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(before.Where(n => n != orphan), await NamesAsync("zone-a"));
        Assert.Contains(before, n => n.StartsWith("verifications/", StringComparison.Ordinal));
    }

    private Task<Dictionary<string, string>> ZonesAsync(params (string Name, VaultProcess? Vault, string Profile, bool Offsite)[] zones) =>
        ZonesAsync([.. zones.Select(z => (z.Name, z.Vault, z.Profile, z.Offsite, (string?)null))]);

    private Task<Dictionary<string, string>> ZonesAsync((string Name, VaultProcess? Vault, string Profile, bool Offsite, string? Maintenance) zone) =>
        ZonesAsync([zone]);

    /// <summary>
    /// Writes the zone file (zone "x" on vault v uses prefix "zone-x"; a null vault is a port nobody listens on) and
    /// returns the environment of a ztdr process reading it, with no repository or password of its own.
    /// </summary>
    private async Task<Dictionary<string, string>> ZonesAsync(IReadOnlyList<(string Name, VaultProcess? Vault, string Profile, bool Offsite, string? Maintenance)> zones)
    {
        var list = new List<Dictionary<string, object>>();
        foreach (var (name, vault, profile, offsite, maintenance) in zones)
        {
            var passwordFile = Scratch.Combine($"password-{name}");
            await File.WriteAllTextAsync(passwordFile, (name == "b" ? ZoneBPassword : Password) + "\n");
            var zone = new Dictionary<string, object>
            {
                ["name"] = name,
                ["repository"] = string.Format(CultureInfo.InvariantCulture, "s3:https://127.0.0.1:{0}/{1}/zone-{2}", vault?.Port ?? 1, VaultProcess.DefaultBucket, name),
                ["credentialsFile"] = (vault ?? Vault).CredentialsFile,
                ["caBundle"] = (vault ?? Vault).CaBundle,
                ["profile"] = profile,
                ["passwordFile"] = passwordFile,
                ["offsite"] = offsite,
            };
            if (maintenance is not null)
            {
                zone["maintenanceProfile"] = maintenance;
            }

            list.Add(zone);
        }

        var config = Scratch.Combine("config");
        Directory.CreateDirectory(Path.Combine(config, "ztdr"));
        await File.WriteAllTextAsync(Path.Combine(config, "ztdr", "zones.json"), JsonSerializer.Serialize(new Dictionary<string, object> { ["zones"] = list }));
        return new Dictionary<string, string>
        {
            ["XDG_CONFIG_HOME"] = config,
            ["XDG_STATE_HOME"] = Scratch.Combine("state"),
            ["ZTDR_S3_MAX_RETRIES"] = "0",
        };
    }

    private static async Task RunOkAsync(Dictionary<string, string> environment, params string[] args)
    {
        var result = await CliProcess.RunAsync(environment, args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
    }

    private static async Task<JsonElement> StatusJsonAsync(Dictionary<string, string> environment, int expectedExit)
    {
        var result = await CliProcess.RunAsync(environment, "status", "--json");
        Assert.True(result.ExitCode == expectedExit, result.ToString());
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    private static JsonElement Rule(JsonElement status, string name) => status.GetProperty("rules").GetProperty(name);

    private string CreateSource()
    {
        var root = Scratch.Combine("data");
        Directory.CreateDirectory(root);
        var bytes = new byte[(2 * 1024 * 1024) + 333];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(root, "big.bin"), bytes);
        File.WriteAllText(Path.Combine(root, "note.txt"), "status test");
        return root;
    }

    /// <summary>Flips one byte in the middle of the largest pack's data file on the vault's disk (docs/vault-storage.md).</summary>
    private static async Task TamperLargestPackAsync(VaultProcess vault, string prefix)
    {
        using var client = vault.CreateClient("backup");
        var objects = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = VaultProcess.DefaultBucket, Prefix = prefix + "/data/" });
        var largest = objects.S3Objects.MaxBy(o => o.Size)!;
        await FaultEnvironment.TamperOnDiskAsync(vault, largest.Key);
    }

    /// <summary>A pack-named object no index lists, written with the backup key and no lock: prune may delete it now.</summary>
    private async Task<string> PlantUnlockedOrphanPackAsync(string prefix)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var name = $"data/{id[..2]}/{id}";
        using var client = Vault.CreateClient("backup");
        await client.PutObjectAsync(new PutObjectRequest { BucketName = VaultProcess.DefaultBucket, Key = $"{prefix}/{name}", InputStream = new MemoryStream(new byte[1000]) });
        return name;
    }

    private async Task<List<string>> NamesAsync(string prefix)
    {
        using var client = Vault.CreateClient("backup");
        var names = new List<string>();
        var response = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = VaultProcess.DefaultBucket, Prefix = prefix + "/" });
        names.AddRange(response.S3Objects.Select(o => o.Key[(prefix.Length + 1)..]));
        return names;
    }
}
