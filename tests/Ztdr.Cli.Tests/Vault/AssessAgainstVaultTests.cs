using System.Text.Json;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>The ztdr executable's assess command against a real vault: exit codes, the report file and one-line errors.</summary>
public sealed class AssessAgainstVaultTests() : VaultCliTest("cli-assess")
{
    /// <summary>A hardened vault has a quota: without one, assess fails "Quota on locked data" (issue 12).</summary>
    protected override IReadOnlyList<string> InitArguments => ["--quota", "1TiB"];

    [Fact]
    public async Task Assess_LockBucketWithBackupAndAdminKeys_ExitZeroJsonAndMarkdownReport()
    {
        var report = Scratch.Combine("report.md");

        var result = await CliProcess.RunAsync(Environment(), "assess", "--endpoint", Vault.Endpoint, "--bucket", VaultProcess.DefaultBucket, "--profile", "backup", "--admin-profile", "admin", "--json", "--report", report);

        Assert.True(result.ExitCode == 0, result.ToString());
        using (var json = JsonDocument.Parse(result.StandardOutput))
        {
            // The JSON must carry the same verdict as the exit code, probe by probe.
            Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
            Assert.Equal(VaultProcess.DefaultBucket, json.RootElement.GetProperty("bucket").GetString());
            var results = json.RootElement.GetProperty("probes").EnumerateArray().Select(p => p.GetProperty("result").GetString()).ToList();
            Assert.Contains("pass", results);
            Assert.DoesNotContain("fail", results);
        }

        Assert.Contains("- Verdict: **PASS**: ", await File.ReadAllTextAsync(report), StringComparison.Ordinal);
        Assert.False(File.Exists(report + ".partial"));
    }

    [Fact]
    public async Task Assess_MissingBucket_OneLineAndExitTwo()
    {
        var result = await CliProcess.RunAsync(Environment(), "assess", "--endpoint", Vault.Endpoint, "--bucket", "no-such-bucket", "--profile", "backup");

        Assert.Equal(2, result.ExitCode);
        Assert.Matches("^ztdr: [^\\n]*no-such-bucket[^\\n]*\\n$", result.StandardError);
    }

    [Fact]
    public async Task Assess_BucketInEndpoint_OneLineUsageError()
    {
        var result = await CliProcess.RunAsync(Environment(), "assess", "--endpoint", Vault.Endpoint + "/backups", "--bucket", "backups");

        Assert.Equal(2, result.ExitCode);
        Assert.Matches("^ztdr: [^\\n]*--endpoint[^\\n]*\\n$", result.StandardError);
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["AWS_SHARED_CREDENTIALS_FILE"] = Vault.CredentialsFile,
        ["AWS_CA_BUNDLE"] = Vault.CaBundle,
    };
}
