using System.Text.Json;
using Ztdr.Cli.Commands;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>prune in process against a folder repository whose clock the test moves (folder locks follow it).</summary>
public sealed class PruneCommandTests : IDisposable
{
    private readonly ClockedFolderRepository _repo = new("cli-prune");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Prune_BeforeLocksEnd_DeletesNothing_SaysWhatIsLockedUntilWhen()
    {
        await _repo.TwoBackupsForgetFirstAsync();
        var before = _repo.ObjectFiles();

        var (exit, output, _) = await _repo.RunAsync("prune");

        Assert.Equal(0, exit);
        Assert.Equal(before, _repo.ObjectFiles());
        Assert.Contains("deleted 0 objects, freed 0 B", output, StringComparison.Ordinal);
        Assert.Matches("[0-9]+ objects still locked until [0-9-]+ [0-9:]+Z", output);
        Assert.Contains("snapshots: 1 kept, 1 forgotten", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_AfterLocksEnd_DeletesForgottenData_KeptSnapshotRestores()
    {
        await _repo.TwoBackupsForgetFirstAsync();
        _repo.Clock.Advance(TimeSpan.FromDays(60));

        var dry = await _repo.RunAsync("prune", "--dry-run");
        Assert.Equal(0, dry.Exit);
        Assert.Contains("nothing was written or deleted", dry.Output, StringComparison.Ordinal);
        var afterDryRun = _repo.ObjectFiles();

        var (exit, output, _) = await _repo.RunAsync("prune");

        Assert.Equal(0, exit);
        Assert.Matches("deleted [1-9][0-9]* objects, freed [0-9.]+ [KM]iB", output);
        Assert.Contains("forgotten snapshots", output, StringComparison.Ordinal);

        // The first backup's data pack also holds shared.bin, which the kept snapshot needs: copied, then deleted.
        Assert.Contains("repacked: 1 blobs copied into 1 new pack(s)", output, StringComparison.Ordinal);
        var after = _repo.ObjectFiles();
        Assert.True(after.Count < afterDryRun.Count);
        Assert.DoesNotContain(after, f => f.StartsWith("forgotten/", StringComparison.Ordinal));
        Assert.Single(after, f => f.StartsWith("snapshots/", StringComparison.Ordinal));

        var target = _repo.Combine("restored");
        Assert.Equal(0, (await _repo.RunAsync("restore", "latest", "--target", target)).Exit);
        Assert.Equal(File.ReadAllBytes(_repo.Combine("two", "b.bin")), File.ReadAllBytes(BackedUpPath.Under(target, _repo.Combine("two"), "b.bin")));
    }

    [Fact]
    public async Task Prune_MaintenanceProfileForFolder_IsUsageErrorInOneLine()
    {
        await _repo.InitAsync();

        var (exit, _, errors) = await _repo.RunAsync("prune", "--maintenance-profile", "maintenance");

        Assert.Equal(CommandErrors.Usage, exit);
        Assert.Contains("--maintenance-profile is for S3", errors.Last(), StringComparison.Ordinal);
    }
}

/// <summary>
/// A folder repository for CLI tests, with a clock the test moves: folder locks are judged by it, so expiry needs no
/// waiting. Two small source folders, "one" and "two", share a file.
/// </summary>
internal sealed class ClockedFolderRepository : IDisposable
{
    private readonly TemporaryDirectory _directory;

    public ClockedFolderRepository(string prefix)
    {
        _directory = new TemporaryDirectory(prefix);
        Directory.CreateDirectory(Combine("one"));
        Directory.CreateDirectory(Combine("two"));
        File.WriteAllBytes(Combine("one", "shared.bin"), Bytes(1, 100_000));
        File.WriteAllBytes(Combine("one", "a.bin"), Bytes(2, 150_000));
        File.WriteAllBytes(Combine("two", "shared.bin"), Bytes(1, 100_000));
        File.WriteAllBytes(Combine("two", "b.bin"), Bytes(3, 120_000));
    }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public string RepositoryPath => Combine("repo");

    public string Combine(params string[] parts) => _directory.Combine(parts);

    public void Dispose() => _directory.Dispose();

    public async Task<(int Exit, string Output, string[] Errors)> RunAsync(params string[] args) => await RunAsync(null, args);

    public async Task<(int Exit, string Output, string[] Errors)> RunAsync(Ztdr.Cli.Passwords.IPasswordPrompt? prompt, params string[] args)
    {
        var environment = new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = RepositoryPath };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(name => environment.GetValueOrDefault(name) ?? (name == KdfOption.Variable ? Vault.CliProcess.TestKdf : null), output, error, prompt, Clock);
        var exit = await CliApplication.RunAsync(args, context);
        return (exit, output.ToString(), error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    public async Task InitAsync() => Assert.Equal(0, (await RunAsync("init", "--retention", "7d")).Exit);

    /// <summary>init; backup "one"; an hour later backup "two"; forget --keep-last 1. Returns the two snapshot ids.</summary>
    public async Task<(string First, string Second)> TwoBackupsForgetFirstAsync()
    {
        await InitAsync();
        var first = await BackupAsync("one");
        Clock.Advance(TimeSpan.FromHours(1));
        var second = await BackupAsync("two");
        var forget = await RunAsync("forget", "--keep-last", "1", "--group-by", "host");
        Assert.True(forget.Exit == 0, string.Join("\n", forget.Errors));
        return (first, second);
    }

    public async Task<string> BackupAsync(string folder)
    {
        var (exit, output, errors) = await RunAsync("backup", "--json", Combine(folder));
        Assert.True(exit == 0, string.Join("\n", errors));
        using var summary = JsonDocument.Parse(output);
        return summary.RootElement.GetProperty("snapshot").GetString()!;
    }

    /// <summary>Object names in the repository folder (its objects/ folder; retention side files live elsewhere), sorted.</summary>
    public List<string> ObjectFiles()
    {
        var objects = Path.Combine(RepositoryPath, "objects");
        return [.. Directory.EnumerateFiles(objects, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(objects, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];
    }

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>A clock that moves only when the test says so; its timestamps (elapsed times) move with it.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _now.UtcTicks;

    /// <summary>The host's time zone as the commands see it; UTC unless a test sets another.</summary>
    public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    public override TimeZoneInfo LocalTimeZone => Zone;

    public void Advance(TimeSpan by) => _now += by;
}
