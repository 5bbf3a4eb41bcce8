using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;
using static Ztdr.Integration.Tests.Attacks.AttackVault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// The paths that must keep working while everything above is refused, as AWS documents them: extending compliance,
/// legal holds placed by backup and released by admin, governance bypass by maintenance only, deletion once a short
/// retention has expired, and a bucket default applied to new versions.
/// </summary>
[TestCaseOrderer(RunLastOrderer.TypeName, RunLastOrderer.AssemblyName)]
public sealed class GovernanceAndExpiryTests : IClassFixture<AttackVault>, IDisposable
{
    private readonly AttackVault _vault;
    private readonly AttackSteps _steps;

    public GovernanceAndExpiryTests(AttackVault vault)
    {
        _vault = vault;
        _steps = new AttackSteps(vault);
    }

    /// <summary>Key × bypass header → outcome of deleting a GOVERNANCE-locked version.</summary>
    public static TheoryData<string, bool, string> GovernanceDeletes => new()
    {
        { Maintenance, false, "AccessDenied" },
        { Maintenance, true, "allowed" },
        { Backup, true, "AccessDenied" },
        { Admin, true, "AccessDenied" },
        { AllRoles, false, "AccessDenied" },
        { AllRoles, true, "allowed" },
    };

    public void Dispose() => _steps.Dispose();

    [Theory]
    [MemberData(nameof(GovernanceDeletes))]
    public async Task DeleteVersion_GovernanceLocked_OnlyBypassWithPermissionSucceeds(string key, bool bypass, string expected)
    {
        var victim = await _vault.PutVictimAsync($"governance/{key}/{bypass}/pack", mode: "GOVERNANCE");

        var seen = await _steps.SdkAsync(key, "DeleteObject", Bucket, victim.Key, client => client.DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = Bucket,
            Key = victim.Key,
            VersionId = victim.VersionId,
            BypassGovernanceRetention = bypass ? true : null,
        }));

        Assert.Equal(expected, seen);
        if (expected == "allowed")
        {
            await AssertGoneAsync(victim);
        }
        else
        {
            await _vault.AssertIntactAsync(victim);
        }
    }

    [Fact]
    public async Task PutObjectRetention_AllRolesShortensGovernance_NeedsTheBypassHeader()
    {
        var victim = await _vault.PutVictimAsync("governance/shorten/pack", mode: "GOVERNANCE");
        var earlier = victim.RetainUntil.AddHours(-12);

        var without = await PutRetentionAsync(AllRoles, victim, "GOVERNANCE", earlier, bypass: false);
        await _vault.AssertIntactAsync(victim);
        var with = await PutRetentionAsync(AllRoles, victim, "GOVERNANCE", earlier, bypass: true);

        Assert.Equal(("AccessDenied", "allowed"), (without, with));
        Assert.Equal(earlier, await RetainUntilAsync(victim));
    }

    [Fact]
    public async Task PutObjectRetention_BackupExtendsCompliance_Succeeds()
    {
        var victim = await _vault.PutVictimAsync("compliance/extend/pack");
        var later = victim.RetainUntil.AddDays(30);

        var seen = await PutRetentionAsync(Backup, victim, "COMPLIANCE", later, bypass: false);

        Assert.Equal("allowed", seen);
        Assert.Equal(later, await RetainUntilAsync(victim));
        await _vault.AssertIntactAsync(victim with { RetainUntil = later });
    }

    [Fact]
    public async Task LegalHold_PlacedByBackup_BlocksMaintenanceUntilAdminReleasesIt()
    {
        var put = await _vault.Client(Backup).PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "hold/pack", ContentBody = "held" });
        var versionId = put.VersionId;

        var steps = new List<string>
        {
            await LegalHoldAsync(Backup, versionId, ObjectLockLegalHoldStatus.On),
            await DeleteAsync(Maintenance, "hold/pack", versionId),
            await LegalHoldAsync(Backup, versionId, ObjectLockLegalHoldStatus.Off),
            await LegalHoldAsync(Maintenance, versionId, ObjectLockLegalHoldStatus.Off),
            await LegalHoldAsync(Admin, versionId, ObjectLockLegalHoldStatus.Off),
            await DeleteAsync(Maintenance, "hold/pack", versionId),
        };

        Assert.Equal(["allowed", "AccessDenied", "AccessDenied", "AccessDenied", "allowed", "allowed"], steps);
    }

    [Fact]
    public async Task DeleteVersion_ShortRetentionExpired_MaintenanceDeletesWithoutBypassUnlessHeld()
    {
        var compliance = await _vault.PutVictimAsync("expiry/compliance", retention: TimeSpan.FromSeconds(3));
        Assert.Equal("AccessDenied", await DeleteAsync(Maintenance, compliance.Key, compliance.VersionId));
        var governance = await _vault.PutVictimAsync("expiry/governance", retention: TimeSpan.FromSeconds(3), mode: "GOVERNANCE");
        var held = await _vault.PutVictimAsync("expiry/held", retention: TimeSpan.FromSeconds(3), legalHold: true);

        Assert.Equal("allowed", await DeleteOnceExpiredAsync(compliance));
        Assert.Equal("allowed", await DeleteOnceExpiredAsync(governance));
        Assert.Equal("AccessDenied", await DeleteAsync(Maintenance, held.Key, held.VersionId));
        await AssertGoneAsync(compliance);
        await AssertGoneAsync(governance);
        await _vault.AssertIntactAsync(held);
    }

    [Fact]
    public async Task PutObjectLockConfiguration_AdminSetsDefault_NewVersionsAreLocked()
    {
        const string bucket = "with-default";
        var admin = _vault.Client(Admin);
        await admin.PutBucketAsync(new PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = true });
        var rule = await _steps.SdkAsync(Admin, "PutObjectLockConfiguration", bucket, null, client => client.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
        {
            BucketName = bucket,
            ObjectLockConfiguration = new ObjectLockConfiguration
            {
                ObjectLockEnabled = ObjectLockEnabled.Enabled,
                Rule = new ObjectLockRule { DefaultRetention = new DefaultRetention { Mode = ObjectLockRetentionMode.Compliance, Days = 1 } },
            },
        }));

        // The default applies from the vault's trusted clock, which lags the wall clock by the vault's downtime (the
        // gap between init and serve is seconds under load), so the test's own clock is no reference: health's is.
        var before = await TrustedTimeAsync();

        // The all-roles key: init scopes the backup and maintenance keys to their one bucket.
        var put = await _vault.Client(AllRoles).PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "pack", ContentBody = "defaulted" });
        var after = await TrustedTimeAsync();
        var retention = await _vault.Client(AllRoles).GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = "pack", VersionId = put.VersionId });
        var delete = await _steps.SdkAsync(AllRoles, "DeleteObject", bucket, "pack", client => client.DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = bucket,
            Key = "pack",
            VersionId = put.VersionId,
            BypassGovernanceRetention = true,
        }));

        Assert.Equal("allowed", rule);
        Assert.Equal(ObjectLockRetentionMode.Compliance, retention.Retention.Mode);

        Assert.InRange(retention.Retention.RetainUntilDate!.Value.ToUniversalTime(), before.AddDays(1).AddMilliseconds(-1), after.AddDays(1).AddMilliseconds(1));
        Assert.Equal("AccessDenied", delete);
    }

    [Fact]
    [RunLast]
    public async Task AuditChain_AfterEveryPath_VerifiesAndHoldsEachAttempt() => await _vault.AssertAuditHoldsEveryAttemptAsync();

    private Task<string> PutRetentionAsync(string key, Victim victim, string mode, DateTime until, bool bypass) =>
        _steps.SdkAsync(key, "PutObjectRetention", victim.Bucket, victim.Key, client => client.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = victim.Bucket,
            Key = victim.Key,
            VersionId = victim.VersionId,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.FindValue(mode), RetainUntilDate = until },
            BypassGovernanceRetention = bypass ? true : null,
        }));

    private Task<string> LegalHoldAsync(string key, string versionId, ObjectLockLegalHoldStatus status) =>
        _steps.SdkAsync(key, "PutObjectLegalHold", Bucket, "hold/pack", client => client.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
        {
            BucketName = Bucket,
            Key = "hold/pack",
            VersionId = versionId,
            LegalHold = new ObjectLockLegalHold { Status = status },
        }));

    private Task<string> DeleteAsync(string key, string objectKey, string versionId) =>
        _steps.SdkAsync(key, "DeleteObject", Bucket, objectKey, client => client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = objectKey, VersionId = versionId }));

    /// <summary>
    /// Waits out the retention, then deletes with the maintenance key (no bypass) until allowed. Expiry is judged by the
    /// vault's trusted time, which trails the wall clock by the time the vault was not running (init to serve), so the
    /// first attempts after the wall-clock date may still be refused; each must then be AccessDenied.
    /// </summary>
    private async Task<string> DeleteOnceExpiredAsync(Victim victim)
    {
        var wait = victim.RetainUntil - DateTime.UtcNow;
        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var outcome = await DeleteAsync(Maintenance, victim.Key, victim.VersionId);
            if (outcome != "AccessDenied" || DateTime.UtcNow > deadline)
            {
                return outcome;
            }

            await Task.Delay(200);
        }
    }

    private async Task<DateTime> RetainUntilAsync(Victim victim) =>
        (await _vault.Client(AllRoles).GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = victim.Bucket, Key = victim.Key, VersionId = victim.VersionId })).Retention.RetainUntilDate!.Value;

    private async Task AssertGoneAsync(Victim victim) =>
        await S3Assert.FailsWith(string.Empty, HttpStatusCode.NotFound, () => _vault.Client(AllRoles).GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = victim.Bucket, Key = victim.Key, VersionId = victim.VersionId }));

    private async Task<DateTime> TrustedTimeAsync()
    {
        using var health = JsonDocument.Parse(await _vault.Vault.AdminGetAsync("/admin/v1/health"));
        return health.RootElement.GetProperty("trustedTime").GetDateTimeOffset().UtcDateTime;
    }
}
