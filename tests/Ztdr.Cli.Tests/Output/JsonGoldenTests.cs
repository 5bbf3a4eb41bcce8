using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Ztdr.Cli.Commands;
using Ztdr.Cli.Output;

namespace Ztdr.Cli.Tests.Output;

/// <summary>
/// Freezes each command's <c>--json</c> schema (docs/json-output.md): names, order, types, which nulls are written
/// and the time format, from fixed values. A failure means a new schema <c>version</c> for that command and a line in
/// the document, never an edited expectation.
/// </summary>
public sealed class JsonGoldenTests
{
    private static readonly DateTimeOffset Time = new(2026, 1, 2, 3, 4, 5, 123, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = new(2026, 2, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Error_Version1_IsFrozen() => Assert.Equal(
        """{"version":1,"error":{"message":"not found: no object named 'config' <in> \"a&b\"","exitCode":1}}""",
        CommandErrors.Line("not found:\nno object named 'config' <in> \"a&b\"", CommandErrors.Failed, json: true));

    [Fact]
    public void Init_Version1_IsFrozen() => Frozen(
        new InitJson("ab12", "folder /srv/repo", "30d", 2_592_000, Until),
        CliJsonContext.Output.InitJson,
        """{"version":1,"repository":"ab12","location":"folder /srv/repo","retention":"30d","retentionSeconds":2592000,"retainUntil":"2026-02-05T00:00:00.0000000Z"}""");

    [Fact]
    public void Backup_Version1_IsFrozen()
    {
        var summary = new BackupOutcome("5a", "7e", 3, 2, 2048, 4, 1024, ["/proc"], ["/a: denied"])
        {
            FilesUnchanged = 1,
            PacksUploaded = 2,
            DurationSeconds = 1.23456,
            RetainUntil = Until,
        };

        Assert.Equal(
            """{"version":1,"snapshot":"5a","tree":"7e","files":3,"dirs":2,"bytesRead":2048,"newBlobs":4,"addedBytes":1024,"filesUnchanged":1,"packsUploaded":2,"durationSeconds":1.235,"retainUntil":"2026-02-05T00:00:00.0000000Z","parent":null,"skipped":["/proc"],"errors":["/a: denied"]}""",
            BackupCommand.ToJson(summary));
        Assert.DoesNotContain("retainUntil", BackupCommand.ToJson(summary with { RetainUntil = null, Parent = "5b" }), StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshots_Version1_IsFrozen() => Frozen<IReadOnlyList<SnapshotJson>>(
        [
            new SnapshotJson("5a", Time, "web1", "root", ["/etc"], [], "7e", null, Until, new SnapshotSummaryJson(3, 2, 2048, 1024), null),
            new SnapshotJson("5b", Time, "web1", "root", ["/etc"], ["daily"], "7f", "5a", Until, new SnapshotSummaryJson(3, 2, 2048, 0), true),
        ],
        CliJsonContext.Output.IReadOnlyListSnapshotJson,
        """[{"version":1,"id":"5a","time":"2026-01-02T03:04:05.1230000Z","hostname":"web1","username":"root","paths":["/etc"],"tags":[],"tree":"7e","parent":null,"retainUntil":"2026-02-05T00:00:00.0000000Z","summary":{"files":3,"dirs":2,"bytes":2048,"addedBytes":1024}},"""
        + """{"version":1,"id":"5b","time":"2026-01-02T03:04:05.1230000Z","hostname":"web1","username":"root","paths":["/etc"],"tags":["daily"],"tree":"7f","parent":"5a","retainUntil":"2026-02-05T00:00:00.0000000Z","summary":{"files":3,"dirs":2,"bytes":2048,"addedBytes":0},"forgotten":true}]""");

    [Fact]
    public void Restore_Version1_IsFrozen() => Frozen(
        new RestoreJson("5a", "/tmp/out", 3, 2, 1, 0, 2048) { DurationSeconds = 2.5 },
        CliJsonContext.Output.RestoreJson,
        """{"version":1,"snapshot":"5a","target":"/tmp/out","files":3,"dirs":2,"symlinks":1,"hardLinks":0,"bytes":2048,"durationSeconds":2.5}""");

    [Fact]
    public void Verify_Version1_IsFrozen() => Assert.Equal(
        """{"version":1,"errors":1,"snapshots":2,"packs":3,"blobs":40,"packsRead":3,"bytesRead":4096,"lockCoverageChecked":false,"warnings":["not immutable"],"findings":"""
        + """[{"kind":"pack-missing","object":"9c","detail":"not in storage","snapshots":["5a"],"paths":["/etc/hosts"],"morePaths":2}],"durationSeconds":61.25}""",
        VerifyCommand.ToJson(new VerifyOutcome([new FindingOutcome("pack-missing", "9c", "not in storage", ["5a"], ["/etc/hosts"], 2)], ["not immutable"], 2, 3, 40, false, 3, 4096), 61.25));

    [Fact]
    public void Ls_Version1_IsFrozen()
    {
        Frozen(
            new LsJson("/etc/Müller's\tnotes", "Müller's\tnotes", "file", 420, "-rw-r--r--", 0, 0, 120, Time, null),
            CliJsonContext.Output.LsJson,
            """{"version":1,"path":"/etc/Müller's\tnotes","name":"Müller's\tnotes","type":"file","mode":420,"permissions":"-rw-r--r--","uid":0,"gid":0,"size":120,"mtime":"2026-01-02T03:04:05.1230000Z"}""");
        Frozen(
            new LsJson("/etc/link", "link", "symlink", 511, "lrwxrwxrwx", null, null, null, Time, "hosts"),
            CliJsonContext.Output.LsJson,
            """{"version":1,"path":"/etc/link","name":"link","type":"symlink","mode":511,"permissions":"lrwxrwxrwx","mtime":"2026-01-02T03:04:05.1230000Z","linkTarget":"hosts"}""");
    }

    [Fact]
    public void Forget_Version1_IsFrozen() => Frozen(
        new ForgetJson(
            false,
            [new ForgetGroupJson("host web1, paths /etc", [new ForgetSnapshotJson("5b", Until, "web1", ["/etc"], [], ["last snapshot"])], [new ForgetSnapshotJson("5a", Time, "web1", ["/etc"], ["x"], [])])],
            ["5a"],
            "6c")
        { DurationSeconds = 0.75 },
        CliJsonContext.Output.ForgetJson,
        """{"version":1,"dryRun":false,"groups":[{"key":"host web1, paths /etc","keep":"""
        + """[{"id":"5b","time":"2026-02-05T00:00:00.0000000Z","hostname":"web1","paths":["/etc"],"tags":[],"reasons":["last snapshot"]}],"forget":"""
        + """[{"id":"5a","time":"2026-01-02T03:04:05.1230000Z","hostname":"web1","paths":["/etc"],"tags":["x"],"reasons":[]}]}],"forgotten":["5a"],"marker":"6c","durationSeconds":0.75}""");

    [Fact]
    public void Prune_Version1_IsFrozen() => Frozen(
        new PruneJson(
            false,
            new PrunePlanJson(1, 1, 30, 2, 1, 1, 500, 0),
            [new PruneKindJson("pack", 2, 9000, 1, Until), new PruneKindJson("index", 0, 0, 0, null)],
            2,
            9000,
            1,
            12,
            1,
            1,
            Time,
            Until)
        { DurationSeconds = 3 },
        CliJsonContext.Output.PruneJson,
        """{"version":1,"dryRun":false,"plan":{"keptSnapshots":1,"forgottenSnapshots":1,"reachableBlobs":30,"packsInUse":2,"partlyUsedPacks":1,"repackPacks":1,"unusedBytesInPartlyUsedPacks":500,"missingPacks":0},"kinds":"""
        + """[{"kind":"pack","objects":2,"bytes":9000,"stillLocked":1,"lockedUntil":"2026-02-05T00:00:00.0000000Z"},{"kind":"index","objects":0,"bytes":0,"stillLocked":0,"lockedUntil":null}],"objects":"""
        + """2,"bytes":9000,"newPacks":1,"repackedBlobs":12,"newIndexObjects":1,"stillLocked":1,"firstUnlock":"2026-01-02T03:04:05.1230000Z","lockedUntil":"2026-02-05T00:00:00.0000000Z","durationSeconds":3}""");

    [Fact]
    public void Keys_Version1_AreFrozen()
    {
        Frozen<IReadOnlyList<KeyJson>>(
            [new KeyJson("4b", Time)],
            CliJsonContext.Output.IReadOnlyListKeyJson,
            """[{"version":1,"id":"4b","created":"2026-01-02T03:04:05.1230000Z"}]""");
        Frozen(
            new KeyAddJson("4c", Until),
            CliJsonContext.Output.KeyAddJson,
            """{"version":1,"id":"4c","retainUntil":"2026-02-05T00:00:00.0000000Z"}""");
    }

    [Fact]
    public void Zones_Version1_IsFrozen() => Frozen<IReadOnlyList<ZoneJson>>(
        [new ZoneJson("offsite", "s3:https://b.example/r", "backup", null, null, "/etc/ztdr/pw", "reader", null, true)],
        CliJsonContext.Output.IReadOnlyListZoneJson,
        """[{"version":1,"name":"offsite","repository":"s3:https://b.example/r","profile":"backup","credentialsFile":null,"caBundle":null,"passwordFile":"/etc/ztdr/pw","readProfile":"reader","maintenanceProfile":null,"offsite":true}]""");

    [Fact]
    public void Copy_Version1_IsFrozen()
    {
        Frozen(
            new CopyJson(1, 1, 40, 30, 9000, 0, true, [new CopiedSnapshotJson("5a", "8d")], ["5b"]) { DurationSeconds = 12.125 },
            CliJsonContext.Output.CopyJson,
            """{"version":1,"snapshotsCopied":1,"snapshotsSkipped":1,"blobsRead":40,"blobsCopied":30,"bytesCopied":9000,"packsRecovered":0,"targetVerified":true,"snapshots":[{"source":"5a","target":"8d"}],"skipped":["5b"],"durationSeconds":12.125}""");
        Frozen(
            new CopyPlanJson(1, 1, 40, 9000, ["5a"], ["5b"]) { DurationSeconds = 0.5 },
            CliJsonContext.Output.CopyPlanJson,
            """{"version":1,"dryRun":true,"snapshotsToCopy":1,"snapshotsSkipped":1,"blobsToRead":40,"bytesToRead":9000,"snapshots":["5a"],"skipped":["5b"],"durationSeconds":0.5}""");
    }

    [Fact]
    public void Assess_Version1_IsFrozen() => Frozen(
        new AssessJson(
            "https://vault.example:9000/",
            "backups",
            "run1",
            "ztdr-assess/run1/",
            Time,
            false,
            0,
            1,
            1,
            [new ProbeJson("backup-credential", "delete-version", "fail", "DELETE /backups/k", "HTTP 204", null), new ProbeJson("admin-credential", "admin-delete", "not-applicable", "-", "no admin key", "give --admin-profile")]),
        CliJsonContext.Output.AssessJson,
        """{"version":1,"endpoint":"https://vault.example:9000/","bucket":"backups","runId":"run1","canaryPrefix":"ztdr-assess/run1/","startedAt":"2026-01-02T03:04:05.1230000Z","passed":false,"pass":0,"fail":1,"notApplicable":1,"probes":"""
        + """[{"question":"backup-credential","probe":"delete-version","result":"fail","request":"DELETE /backups/k","evidence":"HTTP 204"},"""
        + """{"question":"admin-credential","probe":"admin-delete","result":"not-applicable","request":"-","evidence":"no admin key","note":"give --admin-profile"}]}""");

    [Fact]
    public void Status_Version1_IsFrozen()
    {
        var snapshot = new StatusSnapshotJson("5a", Time, 3600, "web1", Until);
        var zones = new[]
        {
            new ZoneStatusJson(
                "a",
                "/srv/a",
                "3f",
                "local",
                false,
                true,
                null,
                1,
                snapshot,
                new LockJson("not-immutable", null, false),
                new VerificationJson(Time, 60, true, 0, 1, 1, 2, 2, "all", 1, false, "backup1", "ztdr 0.1.0", "repository")),
            new ZoneStatusJson("b", "/srv/b", null, "local", true, false, "not found: config", 0, null, null, null),
        };

        Frozen(
            new StatusJson(false, snapshot, ["a"], [new SameRepositoryJson("3f", ["a", "a-ro"], false)], new Dictionary<string, RuleJson> { ["copies"] = new(1, 2, false), ["errors"] = new(1, 0, false) }, zones),
            CliJsonContext.Output.StatusJson,
            """{"version":1,"met":false,"newestSnapshot":{"id":"5a","time":"2026-01-02T03:04:05.1230000Z","ageSeconds":3600,"hostname":"web1","retainUntil":"2026-02-05T00:00:00.0000000Z"},"holdingZones":["a"],"sameRepository":"""
            + """[{"repositoryId":"3f","zones":["a","a-ro"],"offsiteDisagrees":false}],"rules":{"copies":{"count":1,"required":2,"met":false},"errors":{"count":1,"required":0,"met":false}},"zones":"""
            + """[{"name":"a","repository":"/srv/a","repositoryId":"3f","medium":"local","offsite":false,"readable":true,"error":null,"snapshots":1,"newestSnapshot":"""
            + """{"id":"5a","time":"2026-01-02T03:04:05.1230000Z","ageSeconds":3600,"hostname":"web1","retainUntil":"2026-02-05T00:00:00.0000000Z"},"lock":"""
            + """{"mode":"not-immutable","retainUntil":null,"covers":false},"lastVerification":"""
            + """{"time":"2026-01-02T03:04:05.1230000Z","ageSeconds":60,"clean":true,"errors":0,"warnings":1,"snapshots":1,"packs":2,"packsRead":2,"readData":"all","readDataFraction":1,"lockCoverageChecked":false,"hostname":"backup1","program":"ztdr 0.1.0","recordedIn":"repository"}},"""
            + """{"name":"b","repository":"/srv/b","repositoryId":null,"medium":"local","offsite":true,"readable":false,"error":"not found: config","snapshots":0,"newestSnapshot":null,"lock":null,"lastVerification":null}]}""");
    }

    /// <summary>
    /// Every shape the context serializes at the top level (an array's elements for the array outputs) carries an
    /// integer <c>version</c> as its first property: a new output without one fails here, not in a user's script.
    /// </summary>
    [Fact]
    public void Context_EveryTopLevelShape_HasVersionFirst()
    {
        var shapes = typeof(CliJsonContext).GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!)
            .Select(t => t.IsGenericType ? t.GetGenericArguments()[0] : t)
            .ToList();

        Assert.True(shapes.Count >= 16, $"only {shapes.Count} shapes found");
        foreach (var shape in shapes)
        {
            var first = CliJsonContext.Output.GetTypeInfo(shape)!.Properties.OrderBy(p => p.Order).FirstOrDefault();
            Assert.True(first is { Name: "version" } && first.PropertyType == typeof(int), $"{shape.Name} does not start with an integer version");
        }
    }

    private static void Frozen<T>(T value, JsonTypeInfo<T> info, string expected) => Assert.Equal(expected, JsonSerializer.Serialize(value, info));
}
