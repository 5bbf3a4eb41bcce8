using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

public sealed class BucketApiTests : IClassFixture<VaultFixture>
{
    private readonly AmazonS3Client _s3;
    private readonly VaultProcess _vault;

    public BucketApiTests(VaultFixture fixture)
    {
        _s3 = fixture.Client;
        _vault = fixture.Vault;
    }

    [Fact]
    public async Task CreateBucket_New_IsListedUnversionedAndHeadable()
    {
        await _s3.PutBucketAsync("fresh-bucket");
        var buckets = await _s3.ListBucketsAsync();
        Assert.Contains(buckets.Buckets, b => b.BucketName == "fresh-bucket");
        var versioning = await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = "fresh-bucket" });
        Assert.Equal(VersionStatus.Off, versioning.VersioningConfig.Status ?? VersionStatus.Off);
        var location = await _s3.GetBucketLocationAsync("fresh-bucket");
        Assert.True(location.Location is null || location.Location == S3Region.USEast1 || string.IsNullOrEmpty(location.Location.Value));
        await S3Assert.FailsWith("BucketAlreadyOwnedByYou", HttpStatusCode.Conflict, () => _s3.PutBucketAsync("fresh-bucket"));
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("ab")]
    [InlineData("under_score")]
    [InlineData("192.168.1.1")]
    [InlineData("-leading")]
    public async Task CreateBucket_InvalidName_IsInvalidBucketName(string name)
    {
        await S3Assert.FailsWith("InvalidBucketName", HttpStatusCode.BadRequest, () => _s3.PutBucketAsync(name));
    }

    [Fact]
    public async Task DeleteBucket_NonEmptyThenEmpty_ConflictsThenWaitsForASecondAdminKey()
    {
        await _s3.PutBucketAsync("delete-me");
        await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = "delete-me", VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
        var put = await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "delete-me", Key = "k", ContentBody = "x" });
        await S3Assert.FailsWith("BucketNotEmpty", HttpStatusCode.Conflict, () => _s3.DeleteBucketAsync("delete-me"));

        // A delete marker alone still keeps the bucket: every version must go first.
        await _s3.DeleteObjectAsync("delete-me", "k");
        await S3Assert.FailsWith("BucketNotEmpty", HttpStatusCode.Conflict, () => _s3.DeleteBucketAsync("delete-me"));

        var versions = await _s3.ListVersionsAsync("delete-me");
        foreach (var version in versions.Versions)
        {
            await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "delete-me", Key = version.Key, VersionId = version.VersionId });
        }

        // Issue 12, item 6: an empty bucket is deleted only once a second admin key approves (docs/approvals.md).
        await DeleteWithApprovalAsync("delete-me");
        await S3Assert.FailsWith("NoSuchBucket", HttpStatusCode.NotFound, () => _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "delete-me" }));
        Assert.NotNull(put.VersionId);
    }

    [Fact]
    public async Task PutBucketVersioning_EnableThenSuspend_IsReportedAndSuspendedWritesNullVersion()
    {
        await _s3.PutBucketAsync("versioning-states");
        await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = "versioning-states", VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
        Assert.Equal(VersionStatus.Enabled, (await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = "versioning-states" })).VersioningConfig.Status);
        var versioned = await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "versioning-states", Key = "k", ContentBody = "v1" });

        await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = "versioning-states", VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended } });
        Assert.Equal(VersionStatus.Suspended, (await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = "versioning-states" })).VersioningConfig.Status);
        var nullVersion = await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "versioning-states", Key = "k", ContentBody = "v2" });
        Assert.Equal("null", nullVersion.VersionId);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "versioning-states", Key = "k", ContentBody = "v3" });

        var versions = await _s3.ListVersionsAsync("versioning-states");
        Assert.Equal(["null", versioned.VersionId], versions.Versions.Select(v => v.VersionId));
    }

    [Fact]
    public async Task UnversionedBucket_PutOverwritesAndDeleteRemoves()
    {
        await _s3.PutBucketAsync("plain-bucket");
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "plain-bucket", Key = "k", ContentBody = "one" });
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "plain-bucket", Key = "k", ContentBody = "two" });
        var versions = await _s3.ListVersionsAsync("plain-bucket");
        Assert.Single(versions.Versions);
        await _s3.DeleteObjectAsync("plain-bucket", "k");
        Assert.Empty((await _s3.ListVersionsAsync("plain-bucket")).Versions ?? []);
        await DeleteWithApprovalAsync("plain-bucket");
    }

    /// <summary>DeleteBucket by the all-roles key answers XVaultApprovalRequired; the init admin key approves it.</summary>
    private async Task DeleteWithApprovalAsync(string bucket)
    {
        var pending = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.DeleteBucketAsync(bucket));
        Assert.Equal("XVaultApprovalRequired", pending.ErrorCode);
        Assert.Equal(HttpStatusCode.Conflict, pending.StatusCode);
        await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        await _vault.ApproveAsync(VaultProcess.ApprovalIdIn(pending.Message), "admin");
    }

    [Fact]
    public async Task HeadBucket_Missing_Is404()
    {
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = "missing-bucket" }));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Equal("NoSuchBucket", e.ErrorCode);
    }

    [Fact]
    public async Task UnsupportedSubresource_IsNotImplemented()
    {
        await S3Assert.FailsWith("NotImplemented", HttpStatusCode.NotImplemented, () => _s3.GetBucketPolicyAsync("backups"));
        await S3Assert.FailsWith("NotImplemented", HttpStatusCode.NotImplemented, () => _s3.GetLifecycleConfigurationAsync("backups"));
    }
}
