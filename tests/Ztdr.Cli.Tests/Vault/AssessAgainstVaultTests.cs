using System.Text.Json;
using Ztdr.Assess;
using Ztdr.Cli.Commands;
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

            // The same real report as text, without a second run: every line fits 100 columns, and no evidence calls
            // a 2xx answer "refused".
            var text = new TestContext();
            await AssessCommand.WriteTextAsync(text.Context, FromJson(json.RootElement));
            Assert.All(text.Out.ToString().Split('\n'), line => Assert.True(line.Length <= AssessCommand.MaxWidth, $"{line.Length} columns: {line}"));
            Assert.DoesNotMatch("refused: HTTP 2", text.Out.ToString());
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

    /// <summary>The report <c>assess --json</c> printed, back as the object the text renderer takes.</summary>
    private static AssessmentReport FromJson(JsonElement root) => new(
        new Uri(root.GetProperty("endpoint").GetString()!),
        root.GetProperty("bucket").GetString()!,
        root.GetProperty("runId").GetString()!,
        root.GetProperty("canaryPrefix").GetString()!,
        root.GetProperty("startedAt").GetDateTimeOffset(),
        [.. root.GetProperty("probes").EnumerateArray().Select(p => new ProbeResult(
            Enum.Parse<Question>(p.GetProperty("question").GetString()!.Replace("-", "", StringComparison.Ordinal), ignoreCase: true),
            p.GetProperty("probe").GetString()!,
            Enum.Parse<ProbeOutcome>(p.GetProperty("result").GetString()!.Replace("-", "", StringComparison.Ordinal), ignoreCase: true),
            p.GetProperty("request").GetString()!,
            p.GetProperty("evidence").GetString()!,
            p.TryGetProperty("note", out var note) ? note.GetString() : null))]);
}
