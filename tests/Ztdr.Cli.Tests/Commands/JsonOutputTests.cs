using System.Text.Json;
using Ztdr.Cli.Commands;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>
/// Real commands' <c>--json</c> in process against a folder repository: one versioned object (or versioned elements)
/// on stdout and nothing else there, and failures as one JSON line on stderr with the exit code text would have.
/// The shapes themselves are frozen in <see cref="Output.JsonGoldenTests"/>.
/// </summary>
public sealed class JsonOutputTests : IDisposable
{
    private readonly ClockedFolderRepository _repo = new("cli-json");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Init_Json_OneObjectWithRepositoryAndLockEnd()
    {
        var (exit, output, _) = await _repo.RunAsync("init", "--retention", "7d", "--json");

        Assert.Equal(0, exit);
        var root = SingleObject(output);
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Matches("^[0-9a-f]{64}$", root.GetProperty("repository").GetString());
        Assert.Equal(7 * 86400, root.GetProperty("retentionSeconds").GetInt64());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", root.GetProperty("retainUntil").GetString());
    }

    [Fact]
    public async Task KeyAdd_Json_IdThatKeyListShows_EveryElementVersioned()
    {
        await _repo.InitAsync();
        var file = _repo.Combine("new-password");
        await File.WriteAllTextAsync(file, "second password\n");

        var (exit, output, _) = await _repo.RunAsync("key", "add", "--new-password-file", file, "--json");

        Assert.Equal(0, exit);
        var added = SingleObject(output);
        Assert.Equal(1, added.GetProperty("version").GetInt32());
        var list = await _repo.RunAsync("key", "list", "--json");
        using var keys = JsonDocument.Parse(list.Output);
        Assert.All(keys.RootElement.EnumerateArray(), k => Assert.Equal(1, k.GetProperty("version").GetInt32()));
        Assert.Contains(keys.RootElement.EnumerateArray(), k => k.GetProperty("id").GetString() == added.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Forget_JsonWithKeepRules_DecisionsAndForgottenIds_DryRunWritesNoMarker()
    {
        await _repo.InitAsync();
        var first = await _repo.BackupAsync("one");
        _repo.Clock.Advance(TimeSpan.FromHours(1));
        var second = await _repo.BackupAsync("two");
        string[] forget = ["forget", "--keep-last", "1", "--group-by", "host", "--json"];

        var dry = await _repo.RunAsync([.. forget, "--dry-run"]);
        var real = await _repo.RunAsync(forget);

        Assert.Equal((0, 0), (dry.Exit, real.Exit));
        var dryRoot = SingleObject(dry.Output);
        Assert.True(dryRoot.GetProperty("dryRun").GetBoolean());
        Assert.Equal(JsonValueKind.Null, dryRoot.GetProperty("marker").ValueKind);
        var root = SingleObject(real.Output);
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.False(root.GetProperty("dryRun").GetBoolean());
        var group = Assert.Single(root.GetProperty("groups").EnumerateArray());
        Assert.Equal(second, Assert.Single(group.GetProperty("keep").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(first, Assert.Single(group.GetProperty("forget").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal([first], root.GetProperty("forgotten").EnumerateArray().Select(e => e.GetString()));
        Assert.Matches("^[0-9a-f]{64}$", root.GetProperty("marker").GetString());
    }

    [Fact]
    public async Task Prune_Json_LockedThenDeleted_OneObjectEachRun()
    {
        await _repo.TwoBackupsForgetFirstAsync();

        var locked = await _repo.RunAsync("prune", "--json");
        _repo.Clock.Advance(TimeSpan.FromDays(60));
        var dry = await _repo.RunAsync("prune", "--dry-run", "--json");
        var real = await _repo.RunAsync("prune", "--json");

        Assert.Equal((0, 0, 0), (locked.Exit, dry.Exit, real.Exit));
        var lockedRoot = SingleObject(locked.Output);
        Assert.Equal(0, lockedRoot.GetProperty("objects").GetInt32());
        Assert.True(lockedRoot.GetProperty("stillLocked").GetInt32() > 0);
        Assert.EndsWith("Z", lockedRoot.GetProperty("lockedUntil").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, lockedRoot.GetProperty("plan").GetProperty("forgottenSnapshots").GetInt32());
        Assert.Equal(["pack", "index", "snapshot", "marker"], lockedRoot.GetProperty("kinds").EnumerateArray().Select(k => k.GetProperty("kind").GetString()));
        var dryRoot = SingleObject(dry.Output);
        var root = SingleObject(real.Output);
        Assert.True(dryRoot.GetProperty("dryRun").GetBoolean());
        Assert.False(root.GetProperty("dryRun").GetBoolean());
        Assert.Equal(dryRoot.GetProperty("objects").GetInt32(), root.GetProperty("objects").GetInt32());
        Assert.True(root.GetProperty("objects").GetInt32() > 0);
        Assert.Equal(1, root.GetProperty("repackedBlobs").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("lockedUntil").ValueKind);
    }

    [Fact]
    public async Task SnapshotsLsVerify_Json_EveryObjectCarriesVersion()
    {
        await _repo.InitAsync();
        await _repo.BackupAsync("one");

        var snapshots = await _repo.RunAsync("snapshots", "--json");
        var ls = await _repo.RunAsync("ls", "latest", "--json");
        var verify = await _repo.RunAsync("verify", "--json");

        Assert.Equal((0, 0, 0), (snapshots.Exit, ls.Exit, verify.Exit));
        using var list = JsonDocument.Parse(snapshots.Output);
        Assert.Equal(1, Assert.Single(list.RootElement.EnumerateArray()).GetProperty("version").GetInt32());
        var lines = ls.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The backed-up folder, its two files, and the folders above it: snapshots hold absolute paths.
        Assert.Equal(3 + BackedUpPath.FoldersAbove(_repo.Combine("one")), lines.Length);
        Assert.All(lines, line => Assert.Equal(1, JsonDocument.Parse(line).RootElement.GetProperty("version").GetInt32()));
        Assert.Equal(1, SingleObject(verify.Output).GetProperty("version").GetInt32());
    }

    public static TheoryData<string[]> Failures => new()
    {
        { ["forget", "--json"] },
        { ["forget", "--json", "--keep-dayly", "7"] },
        { ["init", "--json"] },
        { ["ls", "--json", "latest"] },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Failure_Json_OneObjectOnStderr_SameExitCodeAndMessageAsText(string[] args)
    {
        // No repository at all: every one of these fails before or while opening it.
        var text = await _repo.RunAsync([.. args.Where(a => a != "--json")]);

        var (exit, output, errors) = await _repo.RunAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Equal(text.Exit, exit);
        Assert.Empty(output);

        // Warnings before it (a folder is not immutable) stay text; the failure is the last line.
        Assert.All(errors[..^1], l => Assert.StartsWith("ztdr: warning: ", l, StringComparison.Ordinal));
        var error = SingleObject(errors[^1]);
        Assert.Equal(1, error.GetProperty("version").GetInt32());
        Assert.Equal(exit, error.GetProperty("error").GetProperty("exitCode").GetInt32());
        Assert.Equal(text.Errors.Last(), "ztdr: " + error.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Failure_WithoutJson_StaysOneTextLine()
    {
        var (exit, _, errors) = await _repo.RunAsync("snapshots");

        Assert.Equal(CommandErrors.Failed, exit);
        Assert.StartsWith("ztdr: ", errors[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(errors, l => l.StartsWith('{'));
    }

    /// <summary>The output is exactly one line holding one JSON object.</summary>
    private static JsonElement SingleObject(string output)
    {
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var root = JsonDocument.Parse(line).RootElement.Clone();
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        return root;
    }
}
