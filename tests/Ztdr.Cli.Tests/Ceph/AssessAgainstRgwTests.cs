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

    [Theory]
    [InlineData("Off")]
    [InlineData("Suspended")]
    public async Task Assess_BucketNotVersioned_OwnerKey_LeavesVersioningLockLifecycleAndPolicyAsFound(string versioning)
    {
        // Before: "Suspend versioning" was accepted and its clean-up *enabled* versioning on a bucket that had none
        // (irreversible on AWS), after which a second run passed "Versioning enabled".
        var bucket = "assess-" + versioning.ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = Rgw.CreateClient(CephRgwProcess.AdminProfile);
        await admin.PutBucketAsync(new Amazon.S3.Model.PutBucketRequest { BucketName = bucket });
        if (versioning == "Suspended")
        {
            await admin.PutBucketVersioningAsync(new Amazon.S3.Model.PutBucketVersioningRequest { BucketName = bucket, VersioningConfig = new Amazon.S3.Model.S3BucketVersioningConfig { Status = Amazon.S3.VersionStatus.Suspended } });
        }

        var before = await SettingsAsync(admin, bucket);
        var environment = new Dictionary<string, string> { ["AWS_SHARED_CREDENTIALS_FILE"] = Rgw.CredentialsFile };

        var result = await CliProcess.RunAsync(environment, "assess", "--endpoint", Rgw.Endpoint, "--bucket", bucket, "--profile", CephRgwProcess.AdminProfile, "--admin-profile", CephRgwProcess.AdminProfile, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(before, await SettingsAsync(admin, bucket));
        Assert.Equal(versioning, before.Versioning);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var probes = json.RootElement.GetProperty("probes").EnumerateArray()
            .ToDictionary(p => (p.GetProperty("question").GetString()!, p.GetProperty("probe").GetString()!), p => p.GetProperty("result").GetString()!);
        Assert.Equal("fail", probes[("hardened-by-default", "Versioning enabled")]);
        Assert.Equal("not-applicable", probes[("backup-credential", "Suspend versioning")]);
        Assert.Equal("pass", probes[("hardened-by-default", "Bucket settings left as found")]);
        Assert.DoesNotContain(probes, p => p.Key.Item2 is "Delete a locked version" or "Multi-delete a locked version" or "Delete marker hides data" && p.Value == "pass");
    }

    /// <summary>Versioning, lock configuration, lifecycle and policy as the SDK reads them, read by the test itself.</summary>
    private static async Task<(string Versioning, string Lock, string Lifecycle, string Policy)> SettingsAsync(Amazon.S3.IAmazonS3 client, string bucket)
    {
        var versioning = await client.GetBucketVersioningAsync(new Amazon.S3.Model.GetBucketVersioningRequest { BucketName = bucket });
        return (
            versioning.VersioningConfig?.Status?.Value is { Length: > 0 } status ? status : "Off",
            await TextOrCodeAsync(async () =>
            {
                var c = (await client.GetObjectLockConfigurationAsync(new Amazon.S3.Model.GetObjectLockConfigurationRequest { BucketName = bucket })).ObjectLockConfiguration;
                return $"{c?.ObjectLockEnabled?.Value} {c?.Rule?.DefaultRetention?.Mode?.Value} {c?.Rule?.DefaultRetention?.Days} {c?.Rule?.DefaultRetention?.Years}";
            }),
            await TextOrCodeAsync(async () => string.Join('|', ((await client.GetLifecycleConfigurationAsync(new Amazon.S3.Model.GetLifecycleConfigurationRequest { BucketName = bucket })).Configuration?.Rules ?? []).Select(r => $"{r.Id} {r.Status?.Value} {r.Expiration?.Days}"))),
            await TextOrCodeAsync(async () => PolicyText((await client.GetBucketPolicyAsync(new Amazon.S3.Model.GetBucketPolicyRequest { BucketName = bucket })).Policy)));
    }

    /// <summary>RGW answers a missing policy with a 404 whose XML error body the SDK hands back as the policy: its code, not its request id.</summary>
    private static string PolicyText(string? policy) =>
        System.Text.RegularExpressions.Regex.Match(policy ?? "", "<Error>.*<Code>([^<]+)</Code>") is { Success: true } error ? "error " + error.Groups[1].Value : policy ?? "";

    private static async Task<string> TextOrCodeAsync(Func<Task<string>> read)
    {
        try
        {
            return await read();
        }
        catch (Amazon.S3.AmazonS3Exception e)
        {
            return "error " + e.ErrorCode;
        }
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
