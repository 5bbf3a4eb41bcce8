using Amazon.S3.Model;
using Ztdr.Testing;

namespace Ztdr.Assess.Tests;

/// <summary>
/// Assessments of a real ztdr-vault over HTTPS with the per-role keys init writes: the hardened lock bucket must
/// pass every probe that applies, and a bucket without Object Lock must fail the lock probes with evidence.
/// </summary>
public sealed class AssessAgainstVaultTests : IAsyncLifetime
{
    private VaultProcess _vault = null!;

    /// <summary>A quota makes the hardened vault: without one, "Quota on locked data" fails (issue 12).</summary>
    private static readonly string[] Quota = ["--quota", "1GiB"];

    public async Task InitializeAsync() => _vault = await VaultProcess.StartAsync(initArguments: Quota);

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Run_LockBucketWithBackupAndAdminKeys_EveryProbePassesOrDoesNotApply()
    {
        var report = await Assessor.RunAsync(Options(VaultProcess.DefaultBucket, admin: "admin"), TimeProvider.System);

        Assert.False(report.HasFailures, Describe(report));
        Assert.All(report.Results, r => Assert.NotEqual(ProbeOutcome.Fail, r.Outcome));

        // The verdicts rest on real refusals, not on probes that could not run.
        foreach (var question in new[] { Question.BackupCredential, Question.AdminCredential })
        {
            foreach (var probe in new[] { "Delete a locked version", "Multi-delete a locked version", "Bypass governance on delete", "Shorten retention", "Change mode to GOVERNANCE", "Delete marker hides data", "Suspend versioning", "Remove the lock configuration", "Lifecycle rule expiring versions", "Delete the bucket" })
            {
                var result = Assert.Single(report.Results, r => r.Question == question && r.Probe == probe);
                Assert.True(result.Outcome == ProbeOutcome.Pass, $"{question} / {probe}: {result.Outcome} {result.Evidence}");
            }
        }

        Assert.Equal(ProbeOutcome.Pass, Find(report, "TLS only").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Anonymous LIST refused").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Anonymous GET refused").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Server clock within 5 minutes").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Versioning enabled").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Object Lock enabled").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Retention as observed on the canary").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "PutObject/GetObject with Object Lock headers").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Lock new data for 100 years").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Extend retention to 100 years").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Quota on locked data").Outcome);
        Assert.Contains("refused: HTTP 403", Single(report, Question.BackupCredential, "Delete a locked version").Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BucketWithoutObjectLock_LockProbesFailWithEvidence()
    {
        const string Plain = "plain";
        using (var admin = _vault.CreateClient("admin"))
        {
            await admin.PutBucketAsync(new PutBucketRequest { BucketName = Plain });
        }

        // Init's role keys are scoped to its own bucket: the new bucket gets a backup key of its own.
        var keys = await VaultProcess.RunVaultAsync(["keys", "create", "--data", _vault.DataDirectory, "--role", "backup", "--bucket", Plain, "--credentials-out", _vault.CredentialsFile, "--profile-name", "plain-backup"]);
        Assert.True(keys.ExitCode == 0, keys.ToString());
        var maintenance = await VaultProcess.RunVaultAsync(["keys", "create", "--data", _vault.DataDirectory, "--role", "maintenance", "--bucket", Plain, "--credentials-out", _vault.CredentialsFile, "--profile-name", "plain-maintenance"]);
        Assert.True(maintenance.ExitCode == 0, maintenance.ToString());

        var report = await Assessor.RunAsync(Options(Plain, admin: "plain-maintenance") with { Profile = "plain-backup" }, TimeProvider.System);

        Assert.True(report.HasFailures);
        Assert.Equal(ProbeOutcome.Fail, Find(report, "Object Lock enabled").Outcome);
        Assert.Equal(ProbeOutcome.Fail, Find(report, "Versioning enabled").Outcome);
        Assert.Equal(ProbeOutcome.Fail, Find(report, "PutObject/GetObject with Object Lock headers").Outcome);
        var delete = Single(report, Question.BackupCredential, "Shorten retention");
        Assert.Equal(ProbeOutcome.Fail, delete.Outcome);
        Assert.Contains("HTTP 4", delete.Evidence, StringComparison.Ordinal);
        Assert.Equal(ProbeOutcome.Fail, Single(report, Question.BackupCredential, "Change mode to GOVERNANCE").Outcome);
        Assert.Equal(ProbeOutcome.Fail, Find(report, "Retention as observed on the canary").Outcome);

        // Nothing locks the canary, so a key allowed to delete versions destroys it: the evidence is the server's 204.
        var destroyed = Single(report, Question.AdminCredential, "Delete a locked version");
        Assert.Equal(ProbeOutcome.Fail, destroyed.Outcome);
        Assert.Equal("accepted (HTTP 204)", destroyed.Evidence);
    }

    [Fact]
    public async Task Run_UnversionedBucketWithAKeyAllowedEverything_LeavesEverySettingAsFound()
    {
        // Before: "Suspend versioning" was accepted here and its clean-up *enabled* versioning, which on AWS cannot be
        // undone, and the next run passed "Versioning enabled".
        const string Unversioned = "unversioned";
        using var admin = _vault.CreateClient("admin");
        await admin.PutBucketAsync(new PutBucketRequest { BucketName = Unversioned });
        var before = await SettingsAsync(admin, Unversioned);

        var report = await Assessor.RunAsync(Options(Unversioned, admin: VaultProcess.AllRolesProfile) with { Profile = VaultProcess.AllRolesProfile }, TimeProvider.System);

        Assert.Equal(before, await SettingsAsync(admin, Unversioned));
        Assert.Equal("Off", before.Versioning);
        var suspend = Single(report, Question.BackupCredential, "Suspend versioning");
        Assert.Equal(ProbeOutcome.NotApplicable, suspend.Outcome);
        Assert.Contains("never enabled", suspend.Evidence, StringComparison.Ordinal);
        Assert.Equal(ProbeOutcome.Fail, Find(report, "Versioning enabled").Outcome);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Bucket settings left as found").Outcome);

        // The canaries could not be locked: no probe on them may pass, whatever the server answered.
        foreach (var question in new[] { Question.BackupCredential, Question.AdminCredential })
        {
            foreach (var probe in new[] { "Delete a locked version", "Multi-delete a locked version", "Bypass governance on delete", "Delete marker hides data" })
            {
                Assert.NotEqual(ProbeOutcome.Pass, Single(report, question, probe).Outcome);
            }
        }
    }

    [Fact]
    public async Task Run_LockBucket_LeavesEverySettingAsFound()
    {
        using var admin = _vault.CreateClient("admin");
        var before = await SettingsAsync(admin, VaultProcess.DefaultBucket);

        var report = await Assessor.RunAsync(Options(VaultProcess.DefaultBucket, admin: VaultProcess.AllRolesProfile), TimeProvider.System);

        Assert.Equal(before, await SettingsAsync(admin, VaultProcess.DefaultBucket));
        Assert.Equal("Enabled", before.Versioning);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Bucket settings left as found").Outcome);
    }

    [Fact]
    public async Task Run_LockBucketWithEveryRoleAsAdmin_LockItselfRefusesWhatPermissionsWouldAllow()
    {
        // The "all" key may delete versions and bypass governance: only the COMPLIANCE lock stands in its way.
        var report = await Assessor.RunAsync(Options(VaultProcess.DefaultBucket, admin: VaultProcess.AllRolesProfile), TimeProvider.System);

        Assert.False(report.HasFailures, Describe(report));
        foreach (var probe in new[] { "Delete a locked version", "Multi-delete a locked version", "Bypass governance on delete", "Shorten retention", "Change mode to GOVERNANCE", "Suspend versioning", "Delete the bucket" })
        {
            var result = Single(report, Question.AdminCredential, probe);
            Assert.True(result.Outcome == ProbeOutcome.Pass, $"{probe}: {result.Outcome} {result.Evidence}");
        }

        var marker = Single(report, Question.AdminCredential, "Delete marker hides data");
        Assert.Equal(ProbeOutcome.Pass, marker.Outcome);
        Assert.StartsWith("delete accepted (HTTP 204); GET by versionId accepted (HTTP 200)", marker.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PlainHttpEndpoint_TlsProbeFails()
    {
        await using var insecure = await VaultProcess.StartAsync(insecureHttp: true, initArguments: Quota);
        var options = Options(VaultProcess.DefaultBucket, admin: null) with
        {
            Endpoint = new Uri(insecure.Endpoint),
            CredentialsFile = insecure.CredentialsFile,
            CaBundle = null,
        };

        var report = await Assessor.RunAsync(options, TimeProvider.System);

        Assert.True(report.HasFailures);
        var tls = Find(report, "TLS only");
        Assert.Equal(ProbeOutcome.Fail, tls.Outcome);
        Assert.Contains("clear text", tls.Evidence, StringComparison.Ordinal);
        Assert.Equal([tls], report.Results.Where(r => r.Outcome == ProbeOutcome.Fail));
    }

    [Theory]
    [InlineData("governance", ProbeOutcome.Fail, "default rule GOVERNANCE 1 days")]
    [InlineData("compliance", ProbeOutcome.Pass, "default rule COMPLIANCE 1 days")]
    public async Task Run_BucketDefaultRule_GovernanceFailsCompliancePasses(string mode, ProbeOutcome expected, string evidence)
    {
        await using var vault = await VaultProcess.StartAsync(initArguments: ["--default-retention", "1d", "--mode", mode, .. Quota]);
        var options = Options(VaultProcess.DefaultBucket, admin: null) with
        {
            Endpoint = new Uri(vault.Endpoint),
            CredentialsFile = vault.CredentialsFile,
            CaBundle = vault.CaBundle,
        };

        var report = await Assessor.RunAsync(options, TimeProvider.System);

        var configured = Find(report, "Default retention as configured");
        Assert.Equal(expected, configured.Outcome);
        Assert.Equal(evidence, configured.Evidence);
        Assert.Equal(expected == ProbeOutcome.Fail, report.HasFailures);
    }

    [Fact]
    public async Task Run_VaultWithoutQuota_QuotaProbeFails()
    {
        await using var vault = await VaultProcess.StartAsync();

        var report = await Assessor.RunAsync(OptionsFor(vault), TimeProvider.System);

        var quota = Find(report, "Quota on locked data");
        Assert.Equal(ProbeOutcome.Fail, quota.Outcome);
        Assert.Contains("no quota", quota.Evidence, StringComparison.Ordinal);
        Assert.Equal(ProbeOutcome.Pass, Find(report, "Lock new data for 100 years").Outcome);
    }

    [Fact]
    public async Task Run_BackupKeyQuotaOnly_QuotaProbePasses()
    {
        await using var vault = await VaultProcess.StartAsync(initArguments: ["--backup-key-quota", "100GiB"]);

        var report = await Assessor.RunAsync(OptionsFor(vault), TimeProvider.System);

        var quota = Find(report, "Quota on locked data");
        Assert.Equal(ProbeOutcome.Pass, quota.Outcome);
        Assert.Contains("key quota 107374182400 bytes", quota.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MaxRetention101Years_BackupKeyLocksFor100YearsAndBothProbesFail()
    {
        // 101, not 100: the probe's "now" comes from the server's Date header, whole seconds, and must not race the limit.
        await using var vault = await VaultProcess.StartAsync(initArguments: ["--max-retention", "101y", .. Quota]);

        var report = await Assessor.RunAsync(OptionsFor(vault), TimeProvider.System);

        var put = Find(report, "Lock new data for 100 years");
        Assert.Equal(ProbeOutcome.Fail, put.Outcome);
        Assert.Equal("accepted (HTTP 200)", put.Evidence);
        Assert.Equal(ProbeOutcome.Fail, Find(report, "Extend retention to 100 years").Outcome);
    }

    [Fact]
    public async Task Run_StoredObjectsUnderGovernanceWithABypassKey_ConfiguredAndObservedModeFail()
    {
        // The weakened target: the bucket's default rule is GOVERNANCE, so data written without lock headers carries
        // it, and the key being assessed holds the bypass permission.
        await using var vault = await VaultProcess.StartAsync(initArguments: ["--default-retention", "1d", "--mode", "governance"]);
        using var writer = vault.CreateClient("backup");
        for (var i = 0; i < 3; i++)
        {
            await writer.PutObjectAsync(new PutObjectRequest { BucketName = VaultProcess.DefaultBucket, Key = $"data/object-{i}", ContentBody = $"stored {i}" });
        }

        var options = Options(VaultProcess.DefaultBucket, admin: null) with
        {
            Profile = VaultProcess.AllRolesProfile,
            Endpoint = new Uri(vault.Endpoint),
            CredentialsFile = vault.CredentialsFile,
            CaBundle = vault.CaBundle,
        };

        var report = await Assessor.RunAsync(options, TimeProvider.System);

        Assert.Equal(ProbeOutcome.Fail, Find(report, "Default retention as configured").Outcome);
        var stored = Find(report, "Retention as observed on stored objects");
        Assert.Equal(ProbeOutcome.Fail, stored.Outcome);
        Assert.StartsWith("3 versions read: 0 COMPLIANCE, 3 GOVERNANCE, 0 without a lock; e.g. data/object-", stored.Evidence, StringComparison.Ordinal);

        // The finding is real: the key deletes a stored version before its date by bypassing governance.
        using var bypass = vault.CreateClient(VaultProcess.AllRolesProfile);
        var version = (await bypass.GetObjectMetadataAsync(VaultProcess.DefaultBucket, "data/object-0")).VersionId;
        await bypass.DeleteObjectAsync(new DeleteObjectRequest { BucketName = VaultProcess.DefaultBucket, Key = "data/object-0", VersionId = version, BypassGovernanceRetention = true });
        var versions = await bypass.ListVersionsAsync(new ListVersionsRequest { BucketName = VaultProcess.DefaultBucket, Prefix = "data/object-0" });
        Assert.DoesNotContain(versions.Versions ?? [], v => v.VersionId == version);
    }

    [Fact]
    public async Task Run_UnknownBucket_StopsWithOneLine()
    {
        // A key scoped to other buckets is refused before existence is revealed; one for every bucket learns it is missing.
        var options = Options("no-such-bucket", admin: null) with { Profile = VaultProcess.AllRolesProfile };

        var error = await Assert.ThrowsAsync<AssessException>(() => Assessor.RunAsync(options, TimeProvider.System));

        Assert.Equal($"bucket 'no-such-bucket' does not exist at {new Uri(_vault.Endpoint)}", error.Message);
    }

    [Fact]
    public async Task Run_UnknownProfile_StopsWithOneLine()
    {
        var options = Options(VaultProcess.DefaultBucket, admin: null) with { Profile = "nobody" };

        var error = await Assert.ThrowsAsync<AssessException>(() => Assessor.RunAsync(options, TimeProvider.System));

        Assert.StartsWith("no profile [nobody] in '", error.Message, StringComparison.Ordinal);
        Assert.Contains("[backup]", error.Message, StringComparison.Ordinal);
    }

    private AssessOptions Options(string bucket, string? admin) => new()
    {
        Endpoint = new Uri(_vault.Endpoint),
        Bucket = bucket,
        CredentialsFile = _vault.CredentialsFile,
        Profile = "backup",
        AdminProfile = admin,
        CaBundle = _vault.CaBundle,
    };

    private static AssessOptions OptionsFor(VaultProcess vault) => new()
    {
        Endpoint = new Uri(vault.Endpoint),
        Bucket = VaultProcess.DefaultBucket,
        CredentialsFile = vault.CredentialsFile,
        Profile = "backup",
        CaBundle = vault.CaBundle,
    };

    /// <summary>
    /// The bucket's versioning, lock configuration, lifecycle and policy as the SDK reads them, each as text or the
    /// error code: read by the test itself, not by the code under test.
    /// </summary>
    internal static async Task<(string Versioning, string Lock, string Lifecycle, string Policy)> SettingsAsync(Amazon.S3.IAmazonS3 client, string bucket)
    {
        var versioning = await client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        return (
            versioning.VersioningConfig?.Status?.Value is { Length: > 0 } status ? status : "Off",
            await TextOrCodeAsync(async () =>
            {
                var c = (await client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = bucket })).ObjectLockConfiguration;
                return $"{c?.ObjectLockEnabled?.Value} {c?.Rule?.DefaultRetention?.Mode?.Value} {c?.Rule?.DefaultRetention?.Days} {c?.Rule?.DefaultRetention?.Years}";
            }),
            await TextOrCodeAsync(async () => string.Join('|', ((await client.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket })).Configuration?.Rules ?? []).Select(r => $"{r.Id} {r.Status?.Value} {r.Expiration?.Days}"))),
            await TextOrCodeAsync(async () => (await client.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket })).Policy ?? ""));
    }

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

    private static ProbeResult Find(AssessmentReport report, string probe) => Assert.Single(report.Results, r => r.Probe == probe);

    private static ProbeResult Single(AssessmentReport report, Question question, string probe) =>
        Assert.Single(report.Results, r => r.Question == question && r.Probe == probe);

    private static string Describe(AssessmentReport report) =>
        string.Join('\n', report.Results.Select(r => $"{r.Question} | {r.Probe} | {r.Outcome} | {r.Request} | {r.Evidence} | {r.Note}"));
}
