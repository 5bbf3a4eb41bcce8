using Amazon.S3;
using Amazon.S3.Model;
using static Ztdr.Integration.Tests.Attacks.AttackVault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>What an attacker can do to a COMPLIANCE-locked version with one stolen key.</summary>
public enum StolenKeyAttack
{
    /// <summary>DeleteObject naming the version.</summary>
    DeleteVersion,

    /// <summary>DeleteObject naming the version with x-amz-bypass-governance-retention: true.</summary>
    DeleteVersionBypassingGovernance,

    /// <summary>DeleteObjects naming the version.</summary>
    MultiDelete,

    /// <summary>DeleteObjects naming the version, with the bypass header.</summary>
    MultiDeleteBypassingGovernance,

    /// <summary>PutObjectRetention, COMPLIANCE, an earlier (still future) date.</summary>
    ShortenRetention,

    /// <summary>PutObjectRetention, COMPLIANCE, an earlier date, with the bypass header.</summary>
    ShortenRetentionBypassingGovernance,

    /// <summary>PutObjectRetention, same date, GOVERNANCE, with the bypass header (then a governance bypass would delete).</summary>
    SwitchToGovernance,

    /// <summary>PutObjectRetention with an empty Retention and the bypass header (how AWS removes a GOVERNANCE lock).</summary>
    RemoveRetention,

    /// <summary>On a version that also has a legal hold: PutObjectLegalHold OFF, then DeleteObject naming the version.</summary>
    ReleaseLegalHoldThenDelete,

    /// <summary>PutBucketVersioning Suspended (then a PUT would replace the null version in place).</summary>
    SuspendVersioning,

    /// <summary>PutObjectLockConfiguration with ObjectLockEnabled other than Enabled.</summary>
    DisableObjectLock,

    /// <summary>DeleteBucket on the bucket holding the version.</summary>
    DeleteBucket,

    /// <summary>PutObject over the key: a new version appears, the locked one stays.</summary>
    OverwriteKey,

    /// <summary>DeleteObject without a version: a delete marker hides the key, the locked version stays.</summary>
    HideBehindDeleteMarker,
}

/// <summary>
/// The promise, from the attacker's side: holding any one key the vault issues — backup, admin, maintenance, or the
/// key holding every role — no attack deletes, overwrites or shortens the lock of a COMPLIANCE-locked version. Every
/// row runs through AWSSDK.S3 against the real vault, expects the reference's code (s3-and-object-lock.md §1.5),
/// then reads the version back byte for byte with the same retention. The last test proves the audit chain verifies
/// and holds every attempt under the attacker's access key id.
/// </summary>
[TestCaseOrderer(RunLastOrderer.TypeName, RunLastOrderer.AssemblyName)]
public sealed class StolenKeyAttackTests : IClassFixture<AttackVault>, IDisposable
{
    private readonly AttackVault _vault;
    private readonly AttackSteps _steps;

    public StolenKeyAttackTests(AttackVault vault)
    {
        _vault = vault;
        _steps = new AttackSteps(vault);
    }

    /// <summary>
    /// Attack × key → what the attacker sees, step by step ("allowed" or the S3 error code). Refusals by role come
    /// first (AccessDenied: the key may not even ask); where the role may ask, the lock engine refuses.
    /// </summary>
    public static TheoryData<StolenKeyAttack, string, string> Matrix => new()
    {
        { StolenKeyAttack.DeleteVersion, Backup, "AccessDenied" },
        { StolenKeyAttack.DeleteVersion, Admin, "AccessDenied" },
        { StolenKeyAttack.DeleteVersion, Maintenance, "AccessDenied" },
        { StolenKeyAttack.DeleteVersion, AllRoles, "AccessDenied" },
        { StolenKeyAttack.DeleteVersionBypassingGovernance, Backup, "AccessDenied" },
        { StolenKeyAttack.DeleteVersionBypassingGovernance, Admin, "AccessDenied" },
        { StolenKeyAttack.DeleteVersionBypassingGovernance, Maintenance, "AccessDenied" },
        { StolenKeyAttack.DeleteVersionBypassingGovernance, AllRoles, "AccessDenied" },
        { StolenKeyAttack.MultiDelete, Backup, "AccessDenied" },
        { StolenKeyAttack.MultiDelete, Admin, "AccessDenied" },
        { StolenKeyAttack.MultiDelete, Maintenance, "AccessDenied" },
        { StolenKeyAttack.MultiDelete, AllRoles, "AccessDenied" },
        { StolenKeyAttack.MultiDeleteBypassingGovernance, Backup, "AccessDenied" },
        { StolenKeyAttack.MultiDeleteBypassingGovernance, Admin, "AccessDenied" },
        { StolenKeyAttack.MultiDeleteBypassingGovernance, Maintenance, "AccessDenied" },
        { StolenKeyAttack.MultiDeleteBypassingGovernance, AllRoles, "AccessDenied" },
        { StolenKeyAttack.ShortenRetention, Backup, "AccessDenied" },
        { StolenKeyAttack.ShortenRetention, Admin, "AccessDenied" },
        { StolenKeyAttack.ShortenRetention, Maintenance, "AccessDenied" },
        { StolenKeyAttack.ShortenRetention, AllRoles, "AccessDenied" },
        { StolenKeyAttack.ShortenRetentionBypassingGovernance, Backup, "AccessDenied" },
        { StolenKeyAttack.ShortenRetentionBypassingGovernance, Admin, "AccessDenied" },
        { StolenKeyAttack.ShortenRetentionBypassingGovernance, Maintenance, "AccessDenied" },
        { StolenKeyAttack.ShortenRetentionBypassingGovernance, AllRoles, "AccessDenied" },
        { StolenKeyAttack.SwitchToGovernance, Backup, "AccessDenied" },
        { StolenKeyAttack.SwitchToGovernance, Admin, "AccessDenied" },
        { StolenKeyAttack.SwitchToGovernance, Maintenance, "AccessDenied" },
        { StolenKeyAttack.SwitchToGovernance, AllRoles, "AccessDenied" },
        { StolenKeyAttack.RemoveRetention, Backup, "AccessDenied" },
        { StolenKeyAttack.RemoveRetention, Admin, "AccessDenied" },
        { StolenKeyAttack.RemoveRetention, Maintenance, "AccessDenied" },
        { StolenKeyAttack.RemoveRetention, AllRoles, "AccessDenied" },
        { StolenKeyAttack.ReleaseLegalHoldThenDelete, Backup, "AccessDenied, AccessDenied" },
        { StolenKeyAttack.ReleaseLegalHoldThenDelete, Admin, "allowed, AccessDenied" },
        { StolenKeyAttack.ReleaseLegalHoldThenDelete, Maintenance, "AccessDenied, AccessDenied" },
        { StolenKeyAttack.ReleaseLegalHoldThenDelete, AllRoles, "allowed, AccessDenied" },
        { StolenKeyAttack.SuspendVersioning, Backup, "AccessDenied" },
        { StolenKeyAttack.SuspendVersioning, Admin, "InvalidBucketState" },
        { StolenKeyAttack.SuspendVersioning, Maintenance, "AccessDenied" },
        { StolenKeyAttack.SuspendVersioning, AllRoles, "InvalidBucketState" },
        { StolenKeyAttack.DisableObjectLock, Backup, "AccessDenied" },
        { StolenKeyAttack.DisableObjectLock, Admin, "MalformedXML" },
        { StolenKeyAttack.DisableObjectLock, Maintenance, "AccessDenied" },
        { StolenKeyAttack.DisableObjectLock, AllRoles, "MalformedXML" },
        { StolenKeyAttack.DeleteBucket, Backup, "AccessDenied" },
        { StolenKeyAttack.DeleteBucket, Admin, "BucketNotEmpty" },
        { StolenKeyAttack.DeleteBucket, Maintenance, "AccessDenied" },
        { StolenKeyAttack.DeleteBucket, AllRoles, "BucketNotEmpty" },
        { StolenKeyAttack.OverwriteKey, Backup, "allowed" },
        { StolenKeyAttack.OverwriteKey, Admin, "AccessDenied" },
        { StolenKeyAttack.OverwriteKey, Maintenance, "AccessDenied" },
        { StolenKeyAttack.OverwriteKey, AllRoles, "allowed" },
        { StolenKeyAttack.HideBehindDeleteMarker, Backup, "allowed" },
        { StolenKeyAttack.HideBehindDeleteMarker, Admin, "AccessDenied" },
        { StolenKeyAttack.HideBehindDeleteMarker, Maintenance, "AccessDenied" },
        { StolenKeyAttack.HideBehindDeleteMarker, AllRoles, "allowed" },
    };

    public void Dispose() => _steps.Dispose();

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Attack_StolenKeyOnComplianceLockedVersion_FailsAndVersionIsIntact(StolenKeyAttack attack, string key, string expected)
    {
        var victim = await _vault.PutVictimAsync($"stolen/{attack}/{key}/pack", legalHold: attack == StolenKeyAttack.ReleaseLegalHoldThenDelete);

        var seen = await RunAsync(attack, key, victim);

        Assert.Equal(expected, string.Join(", ", seen));
        await _vault.AssertIntactAsync(victim);
        await AssertBucketStillLockedAsync();
        if (attack is StolenKeyAttack.OverwriteKey or StolenKeyAttack.HideBehindDeleteMarker && expected == "allowed")
        {
            // The key now shows something else (a newer version or a marker); the locked version underneath is untouched.
            var versions = await _vault.Client(AllRoles).ListVersionsAsync(new ListVersionsRequest { BucketName = victim.Bucket, Prefix = victim.Key });
            Assert.Equal(2, versions.Versions.Count);
            Assert.False(versions.Versions.Single(v => v.IsLatest == true).VersionId == victim.VersionId);
        }
    }

    [Fact]
    [RunLast]
    public async Task AuditChain_AfterEveryAttack_VerifiesAndHoldsEachAttempt() => await _vault.AssertAuditHoldsEveryAttemptAsync();

    private async Task<string[]> RunAsync(StolenKeyAttack attack, string key, Victim victim)
    {
        var (bucket, objectKey, versionId) = (victim.Bucket, victim.Key, victim.VersionId);
        switch (attack)
        {
            case StolenKeyAttack.DeleteVersion:
            case StolenKeyAttack.DeleteVersionBypassingGovernance:
                return [await DeleteVersionAsync(key, victim, bypass: attack == StolenKeyAttack.DeleteVersionBypassingGovernance)];
            case StolenKeyAttack.MultiDelete:
            case StolenKeyAttack.MultiDeleteBypassingGovernance:
                return [await _steps.MultiDeleteAsync(key, victim, bypass: attack == StolenKeyAttack.MultiDeleteBypassingGovernance)];
            case StolenKeyAttack.ShortenRetention:
            case StolenKeyAttack.ShortenRetentionBypassingGovernance:
                return [await PutRetentionAsync(key, victim, "COMPLIANCE", victim.RetainUntil.AddHours(-12), bypass: attack == StolenKeyAttack.ShortenRetentionBypassingGovernance)];
            case StolenKeyAttack.SwitchToGovernance:
                return [await PutRetentionAsync(key, victim, "GOVERNANCE", victim.RetainUntil, bypass: true)];
            case StolenKeyAttack.RemoveRetention:
                return [await _steps.RemoveRetentionAsync(key, victim)];
            case StolenKeyAttack.ReleaseLegalHoldThenDelete:
                var release = await _steps.SdkAsync(key, "PutObjectLegalHold", bucket, objectKey, client => client.PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
                {
                    BucketName = bucket,
                    Key = objectKey,
                    VersionId = versionId,
                    LegalHold = new ObjectLockLegalHold { Status = ObjectLockLegalHoldStatus.Off },
                }));
                return [release, await DeleteVersionAsync(key, victim, bypass: true)];
            case StolenKeyAttack.SuspendVersioning:
                return [await _steps.SdkAsync(key, "PutBucketVersioning", bucket, null, client => client.PutBucketVersioningAsync(new PutBucketVersioningRequest
                {
                    BucketName = bucket,
                    VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended },
                }))];
            case StolenKeyAttack.DisableObjectLock:
                return [await _steps.SdkAsync(key, "PutObjectLockConfiguration", bucket, null, client => client.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
                {
                    BucketName = bucket,
                    ObjectLockConfiguration = new ObjectLockConfiguration { ObjectLockEnabled = ObjectLockEnabled.FindValue("Disabled") },
                }))];
            case StolenKeyAttack.DeleteBucket:
                return [await _steps.SdkAsync(key, "DeleteBucket", bucket, null, client => client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }))];
            case StolenKeyAttack.OverwriteKey:
                return [await _steps.SdkAsync(key, "PutObject", bucket, objectKey, client => client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket,
                    Key = objectKey,
                    ContentBody = "overwritten by an attacker",
                }))];
            case StolenKeyAttack.HideBehindDeleteMarker:
                return [await _steps.SdkAsync(key, "DeleteObject", bucket, objectKey, client => client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = objectKey }))];
            default:
                throw new ArgumentOutOfRangeException(nameof(attack), attack, null);
        }
    }

    private Task<string> DeleteVersionAsync(string key, Victim victim, bool bypass) =>
        _steps.SdkAsync(key, "DeleteObject", victim.Bucket, victim.Key, client => client.DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = victim.Bucket,
            Key = victim.Key,
            VersionId = victim.VersionId,
            BypassGovernanceRetention = bypass ? true : null,
        }));

    private Task<string> PutRetentionAsync(string key, Victim victim, string mode, DateTime until, bool bypass) =>
        _steps.SdkAsync(key, "PutObjectRetention", victim.Bucket, victim.Key, client => client.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = victim.Bucket,
            Key = victim.Key,
            VersionId = victim.VersionId,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.FindValue(mode), RetainUntilDate = until },
            BypassGovernanceRetention = bypass ? true : null,
        }));

    /// <summary>Bucket-level attacks leave the bucket versioned and locked.</summary>
    private async Task AssertBucketStillLockedAsync()
    {
        var client = _vault.Client(AllRoles);
        var versioning = await client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = Bucket });
        Assert.Equal(VersionStatus.Enabled, versioning.VersioningConfig.Status);
        var configuration = await client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = Bucket });
        Assert.Equal(ObjectLockEnabled.Enabled, configuration.ObjectLockConfiguration.ObjectLockEnabled);
    }
}
