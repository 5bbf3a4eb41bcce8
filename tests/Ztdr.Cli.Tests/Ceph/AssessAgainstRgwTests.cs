using System.Text.Json;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Ceph;

/// <summary>
/// <c>ztdr assess</c> against RGW's lock bucket with the backup and admin users. What decides a zone holds: Object Lock
/// on, COMPLIANCE observed on a written canary, neither key can delete or shorten a locked version. What RGW as set up
/// here fails, and is asserted so a change is noticed: TLS (the test gateway is plain HTTP on loopback, by choice), the
/// admin's lifecycle rule (RGW accepts it; its lifecycle worker skips locked versions, which an API probe cannot see),
/// and the lock-cost probes of issue 12: RGW has no maximum retention, so the backup user locks a canary for 100 years
/// and extends one to 100 years. It reports no quota either; its answer to the quota probe is never a pass.
/// </summary>
public sealed class AssessAgainstRgwTests(CephRgwFixture fixture) : RgwCliTest(fixture, "rgw-assess")
{
    [Fact]
    public async Task Assess_RgwLockBucket_LockAndComplianceHold_TlsAdminLifecycleAndLockCostFail()
    {
        var report = Scratch.Combine("report.md");
        var environment = new Dictionary<string, string>
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = Rgw.CredentialsFile,
        };

        var result = await CliProcess.RunAsync(environment, "assess", "--endpoint", Rgw.Endpoint, "--bucket", CephRgwProcess.LockBucket, "--profile", CephRgwProcess.BackupProfile, "--admin-profile", CephRgwProcess.AdminProfile, "--json", "--report", report);

        Assert.True(result.ExitCode == 1, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        var probes = json.RootElement.GetProperty("probes").EnumerateArray()
            .ToDictionary(p => (p.GetProperty("question").GetString()!, p.GetProperty("probe").GetString()!), p => (Result: p.GetProperty("result").GetString()!, Evidence: p.GetProperty("evidence").GetString()!));

        Assert.Equal("pass", probes[("hardened-by-default", "Object Lock enabled")].Result);
        Assert.Equal("pass", probes[("hardened-by-default", "Versioning enabled")].Result);
        foreach (var question in new[] { "backup-credential", "admin-credential" })
        {
            Assert.Equal("pass", probes[(question, "Delete a locked version")].Result);
            Assert.Equal("pass", probes[(question, "Multi-delete a locked version")].Result);
            Assert.Equal("pass", probes[(question, "Shorten retention")].Result);
            Assert.Equal("pass", probes[(question, "Change mode to GOVERNANCE")].Result);
            Assert.Equal("pass", probes[(question, "Bypass governance on delete")].Result);
        }

        var observed = probes[("retention-mode", "Retention as observed on the canary")];
        Assert.Equal("pass", observed.Result);
        Assert.StartsWith("COMPLIANCE until ", observed.Evidence, StringComparison.Ordinal);
        Assert.Equal("pass", probes[("works-without-backup-software", "PutObject/GetObject with Object Lock headers")].Result);

        var failed = probes.Where(p => p.Value.Result == "fail").Select(p => p.Key).Order().ToList();
        Assert.Equal(
            [
                ("admin-credential", "Lifecycle rule expiring versions"),
                ("backup-credential", "Extend retention to 100 years"),
                ("backup-credential", "Lock new data for 100 years"),
                ("hardened-by-default", "TLS only"),
            ],
            failed);
        Assert.NotEqual("pass", probes[("backup-credential", "Quota on locked data")].Result);
        Assert.Contains("- Verdict: **FAIL**: ", await File.ReadAllTextAsync(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assess_BucketWithoutObjectLock_FailsLockAndCompliance()
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = Rgw.CredentialsFile,
        };

        var result = await CliProcess.RunAsync(environment, "assess", "--endpoint", Rgw.Endpoint, "--bucket", CephRgwProcess.PlainBucket, "--profile", CephRgwProcess.BackupProfile, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var probes = json.RootElement.GetProperty("probes").EnumerateArray()
            .ToDictionary(p => (p.GetProperty("question").GetString()!, p.GetProperty("probe").GetString()!), p => p.GetProperty("result").GetString()!);
        Assert.Equal("fail", probes[("hardened-by-default", "Object Lock enabled")]);
        Assert.Equal("fail", probes[("retention-mode", "Retention as observed on the canary")]);
        Assert.Equal("fail", probes[("works-without-backup-software", "PutObject/GetObject with Object Lock headers")]);
    }
}
