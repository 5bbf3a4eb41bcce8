using Ztdr.S3.Errors;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tests.Storage;

public sealed class BucketCatalogTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task CreateAsync_ExistingName_IsBucketAlreadyOwnedByYou()
    {
        await _vault.CreateBucketAsync(VersioningState.Enabled);

        var error = await Assert.ThrowsAsync<S3Exception>(() => _vault.Buckets.CreateAsync("bucket", VersioningState.Unversioned, objectLock: false));

        Assert.Equal("BucketAlreadyOwnedByYou", error.Error.Code);
        Assert.Equal(VersioningState.Enabled, _vault.Buckets.Get("bucket").Versioning);
    }

    [Fact]
    public async Task DeleteAsync_BucketWithObject_IsBucketNotEmpty()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Unversioned);
        await _vault.PutAsync(bucket, "k");

        var error = await Assert.ThrowsAsync<S3Exception>(() => _vault.Buckets.DeleteAsync(bucket));

        Assert.Equal("BucketNotEmpty", error.Error.Code);
        Assert.NotNull(_vault.Buckets.Find(bucket));
    }

    [Fact]
    public async Task DeleteAsync_OnlyNoncurrentVersionsLeft_IsBucketNotEmpty()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.PutAsync(bucket, "k");
        await _vault.Objects.DeleteAsync(bucket, "k", null);

        var error = await Assert.ThrowsAsync<S3Exception>(() => _vault.Buckets.DeleteAsync(bucket));

        Assert.Equal("BucketNotEmpty", error.Error.Code);
    }

    [Fact]
    public async Task DeleteAsync_OnlyDeleteMarkerLeft_IsBucketNotEmpty()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var put = await _vault.PutAsync(bucket, "k");
        await _vault.Objects.DeleteAsync(bucket, "k", null);
        await _vault.Objects.DeleteAsync(bucket, "k", put.Result.VersionId);

        var error = await Assert.ThrowsAsync<S3Exception>(() => _vault.Buckets.DeleteAsync(bucket));

        Assert.Equal("BucketNotEmpty", error.Error.Code);
    }

    [Fact]
    public async Task DeleteAsync_EveryVersionAndMarkerRemoved_DeletesBucket()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var put = await _vault.PutAsync(bucket, "k");
        var marker = await _vault.Objects.DeleteAsync(bucket, "k", null);
        await _vault.Objects.DeleteAsync(bucket, "k", put.Result.VersionId);
        await _vault.Objects.DeleteAsync(bucket, "k", marker.Result.VersionId);

        var orphans = await _vault.Buckets.DeleteAsync(bucket);

        Assert.Empty(orphans);
        Assert.Null(_vault.Buckets.Find(bucket));
    }

    [Fact]
    public async Task DeleteAsync_UploadsInFlight_AbortsThemAndReturnsTheirPartFiles()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var upload = await _vault.Uploads.CreateAsync(bucket, "k", StoredHeaders.Empty, null, null);
        var file = await _vault.WriteFileAsync("part");
        await _vault.Uploads.PutPartAsync(bucket, "k", upload.UploadId, new UploadedPart(1, file.FileId, file.Size, "\"p\"", null, TestVault.Now));

        var orphans = await _vault.Buckets.DeleteAsync(bucket);

        Assert.Equal([file.FileId], orphans);
        Assert.Null(_vault.Buckets.Find(bucket));
        Assert.Empty(_vault.Uploads.ListParts(upload.UploadId, 0, 100));

        // A bucket of the same name later starts clean: the old upload does not come back with it.
        await _vault.CreateBucketAsync(VersioningState.Enabled);
        Assert.Empty(_vault.Uploads.ListUploads(bucket, [], null, null, 100));
    }

    [Fact]
    public async Task DeleteAsync_NoSuchBucket_IsRefused()
    {
        var error = await Assert.ThrowsAsync<S3Exception>(() => _vault.Buckets.DeleteAsync("missing"));

        Assert.Equal("NoSuchBucket", error.Error.Code);
    }

    [Fact]
    public async Task SetVersioningAsync_ObjectLockBucket_CannotLeaveEnabled()
    {
        await _vault.Buckets.CreateAsync("locked", VersioningState.Enabled, objectLock: true);

        var error = await Assert.ThrowsAsync<S3Exception>(() => _vault.Buckets.SetVersioningAsync("locked", VersioningState.Suspended));

        Assert.Equal("InvalidBucketState", error.Error.Code);
        Assert.Equal(VersioningState.Enabled, _vault.Buckets.Get("locked").Versioning);
    }

    [Fact]
    public async Task List_SeveralBuckets_OrderedByName()
    {
        await _vault.CreateBucketAsync(VersioningState.Enabled, "zeta");
        await _vault.CreateBucketAsync(VersioningState.Enabled, "alpha");

        Assert.Equal(["alpha", "zeta"], _vault.Buckets.List().Select(b => b.Name));
    }
}
