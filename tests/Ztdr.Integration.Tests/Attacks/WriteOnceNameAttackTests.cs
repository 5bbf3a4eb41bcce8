using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// Issue 12, item 4: a stolen backup key replacing the latest version of a name (ztdr/config, keys/…, snapshots/…)
/// with garbage locked for years. In the bucket init creates, names are write-once: a PUT, copy or multipart
/// completion onto a name that holds a version is refused with 412 PreconditionFailed (audited), so the version
/// clients read stays the one the backup wrote. Buckets made with CreateBucket keep S3's overwrite semantics.
/// </summary>
public sealed class WriteOnceNameAttackTests : IClassFixture<LimitsVault>
{
    private const string Bucket = LimitsVault.Bucket;
    private readonly LimitsVault _vault;

    public WriteOnceNameAttackTests(LimitsVault vault)
    {
        _vault = vault;
    }

    [Fact]
    public async Task PutObject_OverCurrentVersionInInitBucket_IsPreconditionFailedAuditedAndLatestUnchanged()
    {
        const string key = "write-once/ztdr/config";
        var original = await PutAsync(_vault.Backup, key, "the real config");

        await S3Assert.FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => PutAsync(_vault.Backup, key, "garbage", DateTime.UtcNow.AddYears(5)));

        await AssertLatestAsync(key, original.VersionId, "the real config");
        Assert.Contains("denied:PreconditionFailed", await LimitsVault.AuditOutcomesAsync(_vault.Vault, "backup", "PutObject", key));
    }

    [Fact]
    public async Task PutObject_AfterDeleteMarkerHidesTheName_IsPreconditionFailed()
    {
        const string key = "write-once/keys/hidden";
        var original = await PutAsync(_vault.Backup, key, "a key file");
        await _vault.Backup.DeleteObjectAsync(Bucket, key);

        await S3Assert.FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => PutAsync(_vault.Backup, key, "garbage"));

        var versions = await _vault.AllRoles.ListVersionsAsync(new ListVersionsRequest { BucketName = Bucket, Prefix = key });
        Assert.Equal([original.VersionId], versions.Versions.Where(v => v.IsDeleteMarker != true).Select(v => v.VersionId));
    }

    [Fact]
    public async Task PutObject_IfNoneMatchOnExistingName_IsStillPreconditionFailed()
    {
        const string key = "write-once/snapshots/retry";
        await PutAsync(_vault.Backup, key, "snapshot");

        // The ztdr client's retry after a lost response: it must hear 412 PreconditionFailed to compare bytes.
        var retry = new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "snapshot", IfNoneMatch = "*" };
        await S3Assert.FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => _vault.Backup.PutObjectAsync(retry));
    }

    [Fact]
    public async Task CopyObject_OntoExistingName_IsPreconditionFailed()
    {
        const string key = "write-once/copy-target";
        var original = await PutAsync(_vault.Backup, key, "target");
        await PutAsync(_vault.Backup, "write-once/copy-source", "garbage");

        await S3Assert.FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => _vault.Backup.CopyObjectAsync(Bucket, "write-once/copy-source", Bucket, key));

        await AssertLatestAsync(key, original.VersionId, "target");
    }

    [Fact]
    public async Task CompleteMultipartUpload_OntoExistingName_IsPreconditionFailed()
    {
        const string key = "write-once/mpu-target";
        var original = await PutAsync(_vault.Backup, key, "target");
        var upload = await _vault.Backup.InitiateMultipartUploadAsync(Bucket, key);
        var part = await _vault.Backup.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(Encoding.UTF8.GetBytes("garbage")) });

        await S3Assert.FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => _vault.Backup.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = key,
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, part.ETag)],
        }));

        await AssertLatestAsync(key, original.VersionId, "target");
    }

    [Fact]
    public async Task PutObject_SameNameInBucketFromCreateBucket_AddsVersion()
    {
        await _vault.AllRoles.PutBucketAsync(new PutBucketRequest { BucketName = "ordinary", ObjectLockEnabledForBucket = true });
        await _vault.AllRoles.PutObjectAsync(new PutObjectRequest { BucketName = "ordinary", Key = "k", ContentBody = "1" });
        var second = await _vault.AllRoles.PutObjectAsync(new PutObjectRequest { BucketName = "ordinary", Key = "k", ContentBody = "2" });

        using var get = await _vault.AllRoles.GetObjectAsync("ordinary", "k");
        Assert.Equal(second.VersionId, get.VersionId);
    }

    private Task<PutObjectResponse> PutAsync(AmazonS3Client client, string key, string body, DateTime? until = null) => client.PutObjectAsync(new PutObjectRequest
    {
        BucketName = Bucket,
        Key = key,
        ContentBody = body,
        ObjectLockMode = ObjectLockMode.Compliance,
        ObjectLockRetainUntilDate = until ?? DateTime.UtcNow.AddDays(1),
    });

    private async Task AssertLatestAsync(string key, string versionId, string body)
    {
        using var get = await _vault.AllRoles.GetObjectAsync(Bucket, key);
        Assert.Equal(versionId, get.VersionId);
        Assert.Equal(body, Encoding.UTF8.GetString(await S3Assert.ReadAllAsync(get.ResponseStream)));
    }
}
