using System.Text.Json;
using Ztdr.Backup.Crypto;
using Ztdr.Cli.Commands;
using Ztdr.Cli.Status;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Status;

/// <summary><c>ztdr status</c> over folder zones (not immutable, one medium), and the verdict's rules on their own.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-status-folders");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Status_TwoFolderZonesVerified_CopiesAndErrorsMet_MediaAndImmutableNot_JsonShape()
    {
        var password = _directory.Combine("password");
        await File.WriteAllTextAsync(password, "pw\n");
        await File.WriteAllTextAsync(
            Path.Combine(Directory.CreateDirectory(_directory.Combine("config", "ztdr")).FullName, "zones.json"),
            $$"""{"zones": [{"name": "a", "repository": "{{_directory.Combine("a")}}", "passwordFile": "{{password}}"}, {"name": "b", "repository": "{{_directory.Combine("b")}}", "passwordFile": "{{password}}", "offsite": true}]}""");
        var source = Directory.CreateDirectory(_directory.Combine("data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "f.txt"), "status");
        foreach (var args in new[] { ["--zone", "a", "init", "--retention", "1d"], ["--zone", "b", "init", "--retention", "1d"], ["--zone", "a", "backup", source], ["--zone", "a", "copy", "--to-zone", "b"], ["--zone", "a", "verify"], new[] { "--zone", "b", "verify" } })
        {
            var step = Context();
            Assert.True(await step.RunAsync(args) == 0, $"{string.Join(' ', args)}: {step.Error}");
        }

        var test = Context();
        Assert.Equal(CommandErrors.Failed, await test.RunAsync("status", "--json"));

        var root = JsonDocument.Parse(test.Out.ToString()).RootElement;
        Assert.Equal(["version", "met", "newestSnapshot", "holdingZones", "sameRepository", "rules", "zones"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["copies", "media", "offsite", "immutable", "errors"], root.GetProperty("rules").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["count", "required", "met"], root.GetProperty("rules").GetProperty("copies").EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("rules").GetProperty("copies").GetProperty("met").GetBoolean());
        Assert.True(root.GetProperty("rules").GetProperty("offsite").GetProperty("met").GetBoolean());
        Assert.True(root.GetProperty("rules").GetProperty("errors").GetProperty("met").GetBoolean());
        Assert.Equal(1, root.GetProperty("rules").GetProperty("media").GetProperty("count").GetInt32());
        Assert.Equal(0, root.GetProperty("rules").GetProperty("immutable").GetProperty("count").GetInt32());
        var zone = root.GetProperty("zones")[0];
        Assert.Equal(
            ["name", "repository", "repositoryId", "medium", "offsite", "readable", "error", "snapshots", "newestSnapshot", "lock", "lastVerification"],
            zone.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["id", "time", "ageSeconds", "hostname", "retainUntil"], zone.GetProperty("newestSnapshot").EnumerateObject().Select(p => p.Name));
        Assert.Equal("not-immutable", zone.GetProperty("lock").GetProperty("mode").GetString());
        Assert.Equal("local", zone.GetProperty("medium").GetString());
        Assert.Equal(
            ["time", "ageSeconds", "clean", "errors", "warnings", "snapshots", "packs", "packsRead", "readData", "readDataFraction", "lockCoverageChecked", "hostname", "program", "recordedIn"],
            zone.GetProperty("lastVerification").EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, zone.GetProperty("lastVerification").GetProperty("warnings").GetInt32());

        // A zone whose repository is gone is one row with its error; the rest is still reported, exit 2.
        Directory.Delete(_directory.Combine("b"), recursive: true);
        var missing = Context();
        Assert.Equal(StatusCommand.ZoneUnreadable, await missing.RunAsync("status"));
        var lines = CliProcess.Lines(missing.Out.ToString());
        Assert.Matches("^a +1 +[0-9a-f]{8} ", lines[1]);
        Assert.Matches("^b +- .*unreadable: ", lines[2]);
        Assert.Equal("3-2-1-1-0: NOT met", lines[^1]);
        Assert.All(CliProcess.Lines(missing.Error.ToString()), l => Assert.Contains("is a plain folder, NOT immutable", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Judge_CopyOfACopy_TracedToTheBackup_CountsEveryZoneHoldingIt()
    {
        var (x, y, z, older) = (ObjectId.NewRandom(), ObjectId.NewRandom(), ObjectId.NewRandom(), ObjectId.NewRandom());
        var time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var covered = new LockStatus("COMPLIANCE", time.AddDays(1), Covers: true);
        ZoneStatus[] zones =
        [
            Zone("a", "h1:1", false, covered, (x, null, time)),
            Zone("b", "h2:1", false, null, (y, x, time)),
            Zone("c", "h2:1", true, null, (z, y, time)),
            Zone("d", "h3:1", true, covered, (older, null, time.AddDays(-1))),
        ];

        var verdict = ResilienceVerdict.Judge(zones);

        Assert.Equal(["a", "b", "c"], verdict.Holding);
        Assert.Equal(new RuleResult(4, 3, true), verdict.Copies);
        Assert.Equal(new RuleResult(2, 2, true), verdict.Media);
        Assert.Equal(new RuleResult(1, 1, true), verdict.Offsite);
        Assert.Equal(new RuleResult(1, 1, true), verdict.Immutable);
        Assert.Equal(new RuleResult(4, 0, false), verdict.Errors);
        Assert.False(verdict.Met);
    }

    [Fact]
    public void Judge_OneRepositoryInTwoEntries_OneCopyOnOneMedium_OffsiteOnlyWhenEveryEntrySaysSo()
    {
        var id = ObjectId.NewRandom();
        var time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var covered = new LockStatus("COMPLIANCE", time.AddDays(1), Covers: true);
        ZoneStatus[] zones =
        [
            Zone("primary", "127.0.0.1:9000", false, covered, (id, null, time)) with { RepositoryId = "r1" },
            Zone("primary-ro", "127.0.0.2:9000", true, covered, (id, null, time)) with { RepositoryId = "r1" },
            Zone("other", "10.0.0.1:9000", true, null, (ObjectId.NewRandom(), id, time)) with { RepositoryId = "r2" },
        ];

        var verdict = ResilienceVerdict.Judge(zones);

        Assert.Equal(["primary", "primary-ro", "other"], verdict.Holding);
        Assert.Equal(new RuleResult(3, 3, true), verdict.Copies);
        Assert.Equal(new RuleResult(2, 2, true), verdict.Media);
        Assert.Equal(new RuleResult(1, 1, true), verdict.Offsite);
        Assert.Equal(new RuleResult(1, 1, true), verdict.Immutable);
        var same = Assert.Single(verdict.SameRepositories);
        Assert.Equal(("r1", true), (same.RepositoryId, same.OffsiteDisagrees));
        Assert.Equal(["primary", "primary-ro"], same.Zones);

        var alone = ResilienceVerdict.Judge(zones[..2]);
        Assert.Equal(new RuleResult(2, 3, false), alone.Copies);
        Assert.Equal(new RuleResult(1, 2, false), alone.Media);
        Assert.Equal(new RuleResult(0, 1, false), alone.Offsite);
    }

    [Fact]
    public void MediumOf_LocalhostAndLoopbackAddress_OneMedium()
    {
        var names = new[] { "s3:https://localhost:9000/b/p", "s3:https://127.0.0.1:9000/b/q", "s3:https://[::1]:9000/b/r" }
            .Select(text => ZoneProbe.MediumOf(Ztdr.Cli.Locations.RepositoryLocation.Parse(text)))
            .Distinct()
            .ToList();

        Assert.Equal(["127.0.0.1:9000"], names);
        Assert.NotEqual(names[0], ZoneProbe.MediumOf(Ztdr.Cli.Locations.RepositoryLocation.Parse("s3:https://127.0.0.1:9001/b/p")));
    }

    private static ZoneStatus Zone(string name, string medium, bool offsite, LockStatus? lockStatus, (ObjectId Id, ObjectId? Origin, DateTimeOffset Time) snapshot) =>
        new(name, "/" + name, medium, offsite)
        {
            SnapshotCount = 1,
            Newest = new NewestSnapshot(snapshot.Id, snapshot.Time, "h", snapshot.Time.AddDays(1)),
            Lock = lockStatus,
            Origins = new Dictionary<ObjectId, ObjectId?> { [snapshot.Id] = snapshot.Origin },
        };

    private TestContext Context() => new(new Dictionary<string, string>
    {
        ["XDG_CONFIG_HOME"] = _directory.Combine("config"),
    });
}
