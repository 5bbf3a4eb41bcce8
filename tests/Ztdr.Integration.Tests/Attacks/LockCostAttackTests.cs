using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// Issue 12, item 3: a stolen backup key locking data nobody can ever free. Every path that sets a retention (lock
/// headers on PutObject, CopyObject and CreateMultipartUpload, PutObjectRetention, the bucket's default rule) is held
/// to the bucket's maximum retention (10 years unless init was told otherwise), refused with InvalidArgument and
/// audited; quotas stop the volume, with 507 XVaultQuotaExceeded, while reads, listings and extensions keep working.
/// </summary>
public sealed class LockCostAttackTests : IClassFixture<LimitsVault>
{
    private const string Bucket = LimitsVault.Bucket;
    private readonly LimitsVault _vault;

    public LockCostAttackTests(LimitsVault vault)
    {
        _vault = vault;
    }

    [Fact]
    public async Task PutObject_BackupKeyLocksFor100Years_IsInvalidArgumentAuditedAndNothingStored()
    {
        const string key = "lock-cost/put-100y";
        await S3Assert.FailsWith("InvalidArgument", HttpStatusCode.BadRequest, () => _vault.Backup.PutObjectAsync(Locked(key, DateTime.UtcNow.AddYears(100))));

        await S3Assert.FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => _vault.AllRoles.GetObjectAsync(Bucket, key));
        Assert.Contains("denied:InvalidArgument", await LimitsVault.AuditOutcomesAsync(_vault.Vault, "backup", "PutObject", key));
    }

    [Fact]
    public async Task PutObject_RetentionWithinTenYears_IsStored()
    {
        const string key = "lock-cost/put-9y";
        var until = DateTime.UtcNow.AddYears(9);
        var put = await _vault.Backup.PutObjectAsync(Locked(key, until));

        var retention = await _vault.AllRoles.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = Bucket, Key = key, VersionId = put.VersionId });
        Assert.Equal(ObjectLockRetentionMode.Compliance, retention.Retention.Mode);
    }

    [Fact]
    public async Task PutObjectRetention_ExtendTo9999_IsInvalidArgumentAndVersionKeepsItsDate()
    {
        const string key = "lock-cost/extend-9999";
        var put = await _vault.Backup.PutObjectAsync(Locked(key, DateTime.UtcNow.AddDays(1)));
        var before = await _vault.AllRoles.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = Bucket, Key = key, VersionId = put.VersionId });

        await S3Assert.FailsWith("InvalidArgument", HttpStatusCode.BadRequest, () => _vault.Backup.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = Bucket,
            Key = key,
            VersionId = put.VersionId,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc) },
        }));

        var after = await _vault.AllRoles.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = Bucket, Key = key, VersionId = put.VersionId });
        Assert.Equal(before.Retention.RetainUntilDate, after.Retention.RetainUntilDate);
        Assert.Contains("denied:InvalidArgument", await LimitsVault.AuditOutcomesAsync(_vault.Vault, "backup", "PutObjectRetention", key));

        // An extension inside the limit, what the ztdr client does every backup, keeps working.
        await _vault.Backup.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = Bucket,
            Key = key,
            VersionId = put.VersionId,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = DateTime.UtcNow.AddDays(30) },
        });
    }

    [Fact]
    public async Task CopyObject_Retention100Years_IsInvalidArgument()
    {
        await _vault.Backup.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "lock-cost/copy-source", ContentBody = "source" });

        await S3Assert.FailsWith("InvalidArgument", HttpStatusCode.BadRequest, () => _vault.Backup.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = "lock-cost/copy-source",
            DestinationBucket = Bucket,
            DestinationKey = "lock-cost/copy-100y",
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = DateTime.UtcNow.AddYears(100),
        }));
        await S3Assert.FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => _vault.AllRoles.GetObjectAsync(Bucket, "lock-cost/copy-100y"));
    }

    [Fact]
    public async Task CreateMultipartUpload_Retention100Years_IsInvalidArgument()
    {
        await S3Assert.FailsWith("InvalidArgument", HttpStatusCode.BadRequest, () => _vault.Backup.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "lock-cost/mpu-100y",
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = DateTime.UtcNow.AddYears(100),
        }));
    }

    [Fact]
    public async Task PutObjectLockConfiguration_DefaultRule100Years_IsInvalidArgumentAndRuleUnchanged()
    {
        await S3Assert.FailsWith("InvalidArgument", HttpStatusCode.BadRequest, () => _vault.AllRoles.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
        {
            BucketName = Bucket,
            ObjectLockConfiguration = new ObjectLockConfiguration
            {
                ObjectLockEnabled = ObjectLockEnabled.Enabled,
                Rule = new ObjectLockRule { DefaultRetention = new DefaultRetention { Mode = ObjectLockRetentionMode.Compliance, Years = 100 } },
            },
        }));

        var configuration = await _vault.AllRoles.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = Bucket });
        Assert.Null(configuration.ObjectLockConfiguration.Rule?.DefaultRetention);
    }

    [Fact]
    public async Task PutObject_BeyondKeyQuota_IsQuotaExceededWhileReadsListingsAndExtensionsWork()
    {
        await using var vault = await VaultProcess.StartAsync(initArguments: ["--backup-key-quota", "10000"]);
        using var backup = vault.CreateClient("backup");
        var first = await backup.PutObjectAsync(Locked("quota/first", DateTime.UtcNow.AddDays(1), new byte[6000]));

        await S3Assert.FailsWith("XVaultQuotaExceeded", (HttpStatusCode)507, () => backup.PutObjectAsync(Locked("quota/second", DateTime.UtcNow.AddDays(1), new byte[6000])));

        using (var get = await backup.GetObjectAsync(Bucket, "quota/first"))
        {
            Assert.Equal(6000, (await S3Assert.ReadAllAsync(get.ResponseStream)).Length);
        }

        var list = await backup.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "quota/" });
        Assert.Equal(["quota/first"], list.S3Objects.Select(o => o.Key));
        await backup.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = Bucket,
            Key = "quota/first",
            VersionId = first.VersionId,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = DateTime.UtcNow.AddDays(30) },
        });
        Assert.Contains("denied:XVaultQuotaExceeded", await LimitsVault.AuditOutcomesAsync(vault, "backup", "PutObject", "quota/second"));

        // The quota is the backup key's: another key of the bucket still writes.
        using var other = vault.CreateClient();
        await other.PutObjectAsync(Locked("quota/other", DateTime.UtcNow.AddDays(1), new byte[6000]));
    }

    [Fact]
    public async Task KeysCreateWithQuota_KeyRefusedBeyondIt_ZeroQuotaRefusedInOneLine()
    {
        await using var vault = await VaultProcess.StartAsync();
        var created = await VaultProcess.RunVaultAsync(["keys", "create", "--data", vault.DataDirectory, "--role", "backup", "--bucket", Bucket, "--credentials-out", vault.CredentialsFile, "--profile-name", "quota-key", "--quota", "10000"]);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("quota 10000 bytes", created.StandardOutput, StringComparison.Ordinal);
        using var key = vault.CreateClient("quota-key");
        await key.PutObjectAsync(Locked("key-quota/first", DateTime.UtcNow.AddDays(1), new byte[6000]));

        await S3Assert.FailsWith("XVaultQuotaExceeded", (HttpStatusCode)507, () => key.PutObjectAsync(Locked("key-quota/second", DateTime.UtcNow.AddDays(1), new byte[6000])));

        using var backup = vault.CreateClient("backup");
        await backup.PutObjectAsync(Locked("key-quota/other", DateTime.UtcNow.AddDays(1), new byte[6000]));
        var zero = await VaultProcess.RunVaultAsync(["keys", "create", "--data", vault.DataDirectory, "--role", "backup", "--bucket", Bucket, "--credentials-out", vault.CredentialsFile, "--profile-name", "zero-quota", "--quota", "0"]);
        Assert.NotEqual(0, zero.ExitCode);
        Assert.Single(zero.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task CompleteMultipartUpload_BeyondBucketQuota_IsQuotaExceededForEveryKey()
    {
        await using var vault = await VaultProcess.StartAsync(initArguments: ["--quota", "10000"]);
        using var all = vault.CreateClient();
        await all.PutObjectAsync(Locked("quota/first", DateTime.UtcNow.AddDays(1), new byte[6000]));

        await S3Assert.FailsWith("XVaultQuotaExceeded", (HttpStatusCode)507, () => all.PutObjectAsync(Locked("quota/second", DateTime.UtcNow.AddDays(1), new byte[6000])));
        var upload = await all.InitiateMultipartUploadAsync(Bucket, "quota/mpu");
        var part = await all.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = "quota/mpu", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(new byte[6000]) });
        await S3Assert.FailsWith("XVaultQuotaExceeded", (HttpStatusCode)507, () => all.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "quota/mpu",
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, part.ETag)],
        }));
        await S3Assert.FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => all.GetObjectAsync(Bucket, "quota/mpu"));
    }

    private static PutObjectRequest Locked(string key, DateTime until, byte[]? data = null) => new()
    {
        BucketName = Bucket,
        Key = key,
        InputStream = new MemoryStream(data ?? Encoding.UTF8.GetBytes("lock cost")),
        ObjectLockMode = ObjectLockMode.Compliance,
        ObjectLockRetainUntilDate = until,
    };
}
