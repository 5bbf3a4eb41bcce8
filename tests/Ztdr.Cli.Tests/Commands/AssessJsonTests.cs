using System.Text.Json;
using Ztdr.Assess;
using Ztdr.Cli.Commands;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>The shape of <c>assess --json</c>: camelCase field names, hyphenated enumerated values, the verdict and the counts.</summary>
public sealed class AssessJsonTests
{
    [Fact]
    public void ToJson_Report_CamelCaseFieldsHyphenatedValuesAndCounts()
    {
        var report = new AssessmentReport(
            new Uri("https://vault.example:9000/"),
            "backups",
            "run1",
            "ztdr-assess/run1/",
            new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            [
                new ProbeResult(Question.HardenedByDefault, "tls-only", ProbeOutcome.Pass, "GET http://…", "connection refused"),
                new ProbeResult(Question.AdminCredential, "admin-delete-locked", ProbeOutcome.NotApplicable, "-", "no admin key", "give --admin-profile"),
                new ProbeResult(Question.BackupCredential, "delete-version", ProbeOutcome.Fail, "DELETE /backups/k?versionId=v", "HTTP 204"),
            ]);

        using var document = JsonDocument.Parse(AssessCommand.ToJson(report));
        var root = document.RootElement;

        Assert.Equal(
            ["version", "endpoint", "bucket", "runId", "canaryPrefix", "startedAt", "passed", "pass", "fail", "notApplicable", "probes"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-01-02T03:04:05.0000000Z", root.GetProperty("startedAt").GetString());
        Assert.False(root.GetProperty("passed").GetBoolean());
        Assert.Equal([1, 1, 1], new[] { "pass", "fail", "notApplicable" }.Select(n => root.GetProperty(n).GetInt32()));
        var probes = root.GetProperty("probes");
        Assert.Equal(["question", "probe", "result", "request", "evidence"], probes[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["hardened-by-default", "admin-credential", "backup-credential"], probes.EnumerateArray().Select(p => p.GetProperty("question").GetString()));
        Assert.Equal(["pass", "not-applicable", "fail"], probes.EnumerateArray().Select(p => p.GetProperty("result").GetString()));
        Assert.Equal("give --admin-profile", probes[1].GetProperty("note").GetString());
    }
}
