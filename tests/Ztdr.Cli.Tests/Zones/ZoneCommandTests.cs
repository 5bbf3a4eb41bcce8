using System.Text.Json;
using Ztdr.Cli.Commands;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Cli.Zones;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Zones;

/// <summary>The zone file, <c>zones list</c>, <c>copy --to-zone</c> and <c>--zone</c> with folder repositories.</summary>
public sealed class ZoneCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-zones");

    public void Dispose() => _directory.Dispose();

    private string ConfigHome => _directory.Combine("config");

    private string ZoneFile => Path.Combine(ConfigHome, "ztdr", ZoneConfig.FileName);

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "expected {\"zones\": [ ... ]}")]
    [InlineData("{\"zones\": [{\"repository\": \"/x\"}]}", "zone #1: no 'name'")]
    [InlineData("{\"zones\": [{\"name\": \"b\"}]}", "zone 'b': no 'repository'")]
    [InlineData("{\"zones\": [{\"name\": \"b\", \"repository\": \"/x\", \"pasword\": \"f\"}]}", "zone 'b': unknown field 'pasword'")]
    [InlineData("{\"zones\": [{\"name\": \"b\", \"repository\": \"ftp://h/x\"}]}", "zone 'b': repository 'ftp://h/x': unknown kind")]
    [InlineData("{\"zones\": [{\"name\": \"b\", \"repository\": \"/x\"}, {\"name\": \"b\", \"repository\": \"/y\"}]}", "zone 'b': the name is used twice")]
    [InlineData("{\"zones\": [{\"name\": \"b\", \"repository\": 3}]}", "zone 'b': 'repository' must be a non-empty string")]
    public async Task ZonesList_BadFile_OneLineNamingFileZoneAndProblem(string text, string problem)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ZoneFile)!);
        await File.WriteAllTextAsync(ZoneFile, text);
        var test = Context();

        Assert.Equal(CommandErrors.Usage, await test.RunAsync("zones", "list"));

        var line = Assert.Single(CliProcess.Lines(test.Error.ToString()));
        Assert.StartsWith($"ztdr: zone file {ZoneFile}: ", line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZonesList_TableAndJson_FromXdgDefaultOrConfigOption()
    {
        await WriteZonesAsync(ZoneFile, ("offsite", _directory.Combine("b"), "pw-file"));
        var table = Context();
        Assert.Equal(0, await table.RunAsync("zones", "list"));
        var lines = CliProcess.Lines(table.Out.ToString());
        Assert.StartsWith("Name", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("offsite  " + _directory.Combine("b"), lines[1], StringComparison.Ordinal);

        var other = _directory.Combine("other.json");
        await WriteZonesAsync(other, ("a", "/a", null), ("c", "s3:https://127.0.0.1:9000/bucket/p", null));
        var json = Context();
        Assert.Equal(0, await json.RunAsync("zones", "list", "--json", "--config", other));
        using var document = JsonDocument.Parse(json.Out.ToString());
        Assert.Equal(["a", "c"], document.RootElement.EnumerateArray().Select(z => z.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, document.RootElement[0].GetProperty("passwordFile").ValueKind);
    }

    [Fact]
    public async Task CopyToZone_ThenZoneOptionListsAndRestoresTheCopy()
    {
        var source = _directory.Combine("src");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "alpha");
        var passwordFile = _directory.Combine("b-password");
        await File.WriteAllTextAsync(passwordFile, "zone-b\n");
        var zoneRepository = _directory.Combine("b");
        await WriteZonesAsync(ZoneFile, ("offsite", zoneRepository, passwordFile));
        Assert.Equal(0, await Context().RunAsync("init", "--retention", "1d"));
        Assert.Equal(0, await Context().RunAsync("backup", source));
        Assert.Equal(0, await new TestContext(new Dictionary<string, string> { ["ZTDR_REPOSITORY"] = zoneRepository, ["ZTDR_PASSWORD"] = "zone-b" }).RunAsync("init", "--retention", "1d"));

        var copy = Context();
        Assert.True(await copy.RunAsync("copy", "--to-zone", "offsite") == 0, copy.Error.ToString());

        // ZTDR_REPOSITORY and ZTDR_PASSWORD name the source; --zone must use the zone's repository and password file.
        var list = Context();
        Assert.True(await list.RunAsync("--zone", "offsite", "snapshots", "--json") == 0, list.Error.ToString());
        using var snapshots = JsonDocument.Parse(list.Out.ToString());
        var tags = Assert.Single(snapshots.RootElement.EnumerateArray()).GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.StartsWith("copy-of:", Assert.Single(tags), StringComparison.Ordinal);

        var restore = Context();
        Assert.True(await restore.RunAsync("restore", "latest", "--zone", "offsite", "--target", _directory.Combine("out")) == 0, restore.Error.ToString());
        Assert.Equal("alpha", await File.ReadAllTextAsync(BackedUpPath.Under(_directory.Combine("out"), source, "a.txt")));
    }

    [Fact]
    public async Task ZoneOption_UnknownZone_OneLineListingZones()
    {
        await WriteZonesAsync(ZoneFile, ("offsite", "/x", null));
        var test = Context();

        Assert.Equal(CommandErrors.Usage, await test.RunAsync("--zone", "nope", "snapshots"));

        Assert.Equal($"ztdr: zone file {ZoneFile}: no zone named 'nope' (zones: offsite)", Assert.Single(CliProcess.Lines(test.Error.ToString())));
    }

    [Fact]
    public async Task ZoneOption_WithRepo_Refused()
    {
        var test = Context();

        Assert.Equal(CommandErrors.Usage, await test.RunAsync("--zone", "offsite", "--repo", "/x", "snapshots"));
        Assert.Equal("ztdr: give --repo or --zone, not both", Assert.Single(CliProcess.Lines(test.Error.ToString())));
    }

    [Fact]
    public async Task ZoneOption_Init_CreatesTheZonesRepositoryWithItsPasswordNotTheDefaultOne()
    {
        var passwordFile = _directory.Combine("b-password");
        await File.WriteAllTextAsync(passwordFile, "zone-b\n");
        await WriteZonesAsync(ZoneFile, ("offsite", _directory.Combine("b"), passwordFile));
        var test = Context();

        Assert.True(await test.RunAsync("--zone", "offsite", "init", "--retention", "1d") == 0, test.Error.ToString());

        Assert.False(Directory.Exists(_directory.Combine("repo")));
        var opened = new TestContext(new Dictionary<string, string> { ["ZTDR_REPOSITORY"] = _directory.Combine("b"), ["ZTDR_PASSWORD"] = "zone-b" });
        Assert.True(await opened.RunAsync("snapshots") == 0, opened.Error.ToString());
    }

    [Fact]
    public async Task ZoneOption_Prune_ActsOnTheZonesRepositoryNotTheDefaultOne()
    {
        var passwordFile = _directory.Combine("b-password");
        await File.WriteAllTextAsync(passwordFile, "zone-b\n");
        await WriteZonesAsync(ZoneFile, ("offsite", _directory.Combine("b"), passwordFile));
        Assert.Equal(0, await Context().RunAsync("--zone", "offsite", "init", "--retention", "1d"));
        var test = Context();

        Assert.True(await test.RunAsync("--zone", "offsite", "prune", "--dry-run") == 0, test.Error.ToString());

        Assert.Contains("dry run: would delete 0 objects", test.Out.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory.Combine("repo")));
    }

    [Theory]
    [InlineData("{\"zones\": [{\"name\": \"b\", \"repository\": \"/x\", \"offsite\": \"yes\"}]}", "zone 'b': 'offsite' must be true or false")]
    [InlineData("{\"zones\": [{\"name\": \"b\", \"repository\": \"/x\", \"maintenanceProfile\": true}]}", "zone 'b': 'maintenanceProfile' must be a non-empty string")]
    public async Task ZonesList_BadOffsiteOrMaintenanceProfile_OneLine(string text, string problem)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ZoneFile)!);
        await File.WriteAllTextAsync(ZoneFile, text);
        var test = Context();

        Assert.Equal(CommandErrors.Usage, await test.RunAsync("zones", "list"));

        Assert.EndsWith(problem, Assert.Single(CliProcess.Lines(test.Error.ToString())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZonesList_Json_ShowsOffsiteAndMaintenanceProfile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ZoneFile)!);
        await File.WriteAllTextAsync(ZoneFile, "{\"zones\": [{\"name\": \"b\", \"repository\": \"/x\", \"offsite\": true, \"maintenanceProfile\": \"m\"}, {\"name\": \"c\", \"repository\": \"/y\"}]}");
        var test = Context();

        Assert.Equal(0, await test.RunAsync("zones", "list", "--json"));

        using var document = JsonDocument.Parse(test.Out.ToString());
        Assert.True(document.RootElement[0].GetProperty("offsite").GetBoolean());
        Assert.Equal("m", document.RootElement[0].GetProperty("maintenanceProfile").GetString());
        Assert.False(document.RootElement[1].GetProperty("offsite").GetBoolean());
        Assert.Equal(JsonValueKind.Null, document.RootElement[1].GetProperty("maintenanceProfile").ValueKind);
    }

    private static async Task WriteZonesAsync(string path, params (string Name, string Repository, string? PasswordFile)[] zones)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var list = zones.Select(z => z.PasswordFile is null
            ? (object)new Dictionary<string, string> { ["name"] = z.Name, ["repository"] = z.Repository }
            : new Dictionary<string, string> { ["name"] = z.Name, ["repository"] = z.Repository, ["passwordFile"] = z.PasswordFile });
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new Dictionary<string, object> { ["zones"] = list.ToList() }));
    }

    private TestContext Context() => new(new Dictionary<string, string>
    {
        ["ZTDR_PASSWORD"] = "pw",
        ["ZTDR_REPOSITORY"] = _directory.Combine("repo"),
        ["XDG_CONFIG_HOME"] = ConfigHome,
    });
}
