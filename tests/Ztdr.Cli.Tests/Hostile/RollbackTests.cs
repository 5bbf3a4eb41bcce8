using System.Text.Json;
using Xunit.Abstractions;
using Ztdr.Cli.Tests.Faults;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Hostile;

/// <summary>
/// Issue 11 § 4, silent rollback: storage that stops showing the newest snapshot (a rolled-back bucket, a server that
/// lies) must not make "latest" quietly mean an older one. The host remembers the newest snapshot it saw committed;
/// snapshots and restore warn when it is gone, verify fails naming it. A folder repository plays the lying storage:
/// deleting the file is exactly a rollback no version history can see through.
/// </summary>
public sealed class RollbackTests(ITestOutputHelper output) : IDisposable
{
    private readonly TemporaryDirectory _scratch = new("rollback");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Commands_NewestSnapshotRolledBack_WarnAndVerifyFailsNamingIt()
    {
        var environment = new Dictionary<string, string>
        {
            ["ZTDR_REPOSITORY"] = _scratch.Combine("repo"),
            ["ZTDR_PASSWORD"] = VaultCliTest.Password,
            ["XDG_STATE_HOME"] = _scratch.Combine("state"),
        };
        var source = FaultEnvironment.CreateIncompressibleTree(_scratch.Combine("source"), 2, 4096);
        Assert.Equal(0, (await RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await RunAsync(environment, "backup", source)).ExitCode);
        var second = await RunAsync(environment, "backup", "--json", source);
        Assert.True(second.ExitCode == 0, second.ToString());
        var newest = JsonDocument.Parse(second.StandardOutput).RootElement.GetProperty("snapshot").GetString()!;

        // Before the rollback, nothing to say.
        var before = await RunAsync(environment, "snapshots");
        Assert.DoesNotContain("missing from storage", before.StandardError, StringComparison.Ordinal);

        var file = Path.Combine(_scratch.Combine("repo"), "objects", "snapshots", newest);
        File.SetUnixFileMode(Path.GetDirectoryName(file)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(file);

        var snapshots = await RunAsync(environment, "snapshots");
        Assert.True(snapshots.ExitCode == 0, snapshots.ToString());
        Assert.Contains(FaultEnvironment.ZtdrLines(snapshots), l => l.Contains(newest[..8], StringComparison.Ordinal) && l.Contains("missing from storage", StringComparison.Ordinal));

        var restore = await RunAsync(environment, "restore", "latest", "--target", _scratch.Combine("restored"));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains(FaultEnvironment.ZtdrLines(restore), l => l.Contains(newest[..8], StringComparison.Ordinal) && l.Contains("missing from storage", StringComparison.Ordinal));

        var verify = await RunAsync(environment, "verify");
        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains(CliProcess.Lines(verify.StandardOutput), l => l.StartsWith("snapshot-missing", StringComparison.Ordinal) && l.Contains(newest, StringComparison.Ordinal));
    }

    private async Task<ProcessResult> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        var result = await CliProcess.RunAsync(environment, args);
        output.WriteLine($"$ ztdr {string.Join(' ', args)}\n{result}");
        return result;
    }
}
