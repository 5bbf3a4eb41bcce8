using Ztdr.S3.Errors;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tests.Storage;

public sealed class UploadCatalogTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task PutPartAsync_SameNumberTwice_ReplacesPartAndOrphansOldFile()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var upload = await _vault.Uploads.CreateAsync(bucket, "k", StoredHeaders.Empty, null, null);
        var first = await PutPartAsync(bucket, "k", upload.UploadId, 1, "one");

        var second = await PutPartAsync(bucket, "k", upload.UploadId, 1, "two");

        Assert.Empty(first.OrphanedFiles);
        Assert.Equal([first.Result.FileId], second.OrphanedFiles);
        var part = Assert.Single(_vault.Uploads.ListParts(upload.UploadId, 0, 100));
        Assert.Equal(second.Result.FileId, part.FileId);
    }

    [Fact]
    public async Task ListParts_AfterPartNumber_ReturnsLaterPartsInOrder()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var upload = await _vault.Uploads.CreateAsync(bucket, "k", StoredHeaders.Empty, null, null);
        foreach (var n in new[] { 3, 1, 10, 2 })
        {
            await PutPartAsync(bucket, "k", upload.UploadId, n, "p" + n);
        }

        var parts = _vault.Uploads.ListParts(upload.UploadId, 1, 2);

        Assert.Equal([2, 3], parts.Select(p => p.PartNumber));
    }

    [Fact]
    public async Task CompleteAsync_SubsetOfParts_UsesChosenPartsAndOrphansTheRest()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var upload = await _vault.Uploads.CreateAsync(bucket, "k", StoredHeaders.Empty, null, null);
        var p1 = await PutPartAsync(bucket, "k", upload.UploadId, 1, "aa");
        var p2 = await PutPartAsync(bucket, "k", upload.UploadId, 2, "bb");
        var p3 = await PutPartAsync(bucket, "k", upload.UploadId, 3, "cc");

        var complete = await _vault.Uploads.CompleteAsync(bucket, "k", upload.UploadId, (_, parts) => Build(bucket, "k", parts[1], parts[3]));

        Assert.Equal([p2.Result.FileId], complete.OrphanedFiles);
        var version = _vault.Objects.Find(bucket, "k", null)!;
        Assert.Equal(complete.Result.VersionId, version.VersionId);
        Assert.Equal([p1.Result.FileId, p3.Result.FileId], version.Segments.Select(s => s.FileId));
        Assert.Equal(4, version.Size);
        Assert.Throws<S3Exception>(() => _vault.Uploads.Get(bucket, "k", upload.UploadId));
        Assert.Empty(_vault.Uploads.ListParts(upload.UploadId, 0, 100));
    }

    [Fact]
    public async Task CompleteAsync_UnversionedOverExistingObject_OrphansOldObjectFile()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Unversioned);
        var old = await _vault.PutAsync(bucket, "k", "old");
        var upload = await _vault.Uploads.CreateAsync(bucket, "k", StoredHeaders.Empty, null, null);
        await PutPartAsync(bucket, "k", upload.UploadId, 1, "new");

        var complete = await _vault.Uploads.CompleteAsync(bucket, "k", upload.UploadId, (_, parts) => Build(bucket, "k", parts[1]));

        Assert.Equal(ObjectVersion.NullVersionId, complete.Result.VersionId);
        Assert.Equal([old.Result.Segments[0].FileId], complete.OrphanedFiles);
        var only = Assert.Single(_vault.Objects.ListVersions(bucket, [], null, null, 100));
        Assert.True(only.IsLatest);
    }

    [Fact]
    public async Task CompleteAsync_EnabledOverExistingObject_KeepsOldVersion()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var old = await _vault.PutAsync(bucket, "k", "old");
        var upload = await _vault.Uploads.CreateAsync(bucket, "k", StoredHeaders.Empty, null, null);
        await PutPartAsync(bucket, "k", upload.UploadId, 1, "new");

        var complete = await _vault.Uploads.CompleteAsync(bucket, "k", upload.UploadId, (_, parts) => Build(bucket, "k", parts[1]));

        Assert.Empty(complete.OrphanedFiles);
        var versions = _vault.Objects.ListVersions(bucket, [], null, null, 100);
        Assert.Equal([complete.Result.VersionId, old.Result.VersionId], versions.Select(v => v.VersionId));
    }

    [Fact]
    public async Task CompleteAsync_BuildRefuses_ChangesNothing()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var upload = await _vault.Uploads.CreateAsync(bucket, "k", StoredHeaders.Empty, null, null);
        await PutPartAsync(bucket, "k", upload.UploadId, 1, "aa");

        await Assert.ThrowsAsync<S3Exception>(() => _vault.Uploads.CompleteAsync(bucket, "k", upload.UploadId, (_, _) => throw new S3Exception(S3Errors.InvalidPart)));

        Assert.Single(_vault.Uploads.ListParts(upload.UploadId, 0, 100));
        Assert.Null(_vault.Objects.Find(bucket, "k", null));
    }

    [Fact]
    public async Task AbortAsync_Upload_ReturnsAllPartFilesAndForgetsUpload()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var upload = await _vault.Uploads.CreateAsync(bucket, "k", StoredHeaders.Empty, null, null);
        var p1 = await PutPartAsync(bucket, "k", upload.UploadId, 1, "aa");
        var p2 = await PutPartAsync(bucket, "k", upload.UploadId, 2, "bb");

        var abort = await _vault.Uploads.AbortAsync(bucket, "k", upload.UploadId);

        Assert.Equal(new[] { p1.Result.FileId, p2.Result.FileId }.Order(StringComparer.Ordinal), abort.OrphanedFiles.Order(StringComparer.Ordinal));
        var error = Assert.Throws<S3Exception>(() => _vault.Uploads.Get(bucket, "k", upload.UploadId));
        Assert.Equal("NoSuchUpload", error.Error.Code);
    }

    [Theory]
    [InlineData("bucket", "other-key")]
    [InlineData("other", "k")]
    public async Task UploadOperations_WrongBucketOrKey_AreNoSuchUpload(string bucket, string key)
    {
        await _vault.CreateBucketAsync(VersioningState.Enabled, "bucket");
        await _vault.CreateBucketAsync(VersioningState.Enabled, "other");
        var upload = await _vault.Uploads.CreateAsync("bucket", "k", StoredHeaders.Empty, null, null);
        var segment = await _vault.WriteFileAsync("x");
        var part = new UploadedPart(1, segment.FileId, 1, "\"e\"", null, TestVault.Now);

        Assert.Equal("NoSuchUpload", Assert.Throws<S3Exception>(() => _vault.Uploads.Get(bucket, key, upload.UploadId)).Error.Code);
        Assert.Equal("NoSuchUpload", (await Assert.ThrowsAsync<S3Exception>(() => _vault.Uploads.PutPartAsync(bucket, key, upload.UploadId, part))).Error.Code);
        Assert.Equal("NoSuchUpload", (await Assert.ThrowsAsync<S3Exception>(() => _vault.Uploads.CompleteAsync(bucket, key, upload.UploadId, (_, _) => throw new InvalidOperationException("must not run")))).Error.Code);
        Assert.Equal("NoSuchUpload", (await Assert.ThrowsAsync<S3Exception>(() => _vault.Uploads.AbortAsync(bucket, key, upload.UploadId))).Error.Code);
        Assert.Equal(upload.UploadId, _vault.Uploads.Get("bucket", "k", upload.UploadId).UploadId);
    }

    [Fact]
    public async Task ListUploads_SeveralKeys_OrderedByKeyThenUploadIdAfterMarkers()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var b1 = await _vault.Uploads.CreateAsync(bucket, "b", StoredHeaders.Empty, null, null);
        var a = await _vault.Uploads.CreateAsync(bucket, "a", StoredHeaders.Empty, null, null);
        var b2 = await _vault.Uploads.CreateAsync(bucket, "b", StoredHeaders.Empty, null, null);
        var bIds = new[] { b1.UploadId, b2.UploadId }.Order(StringComparer.Ordinal).ToArray();

        var all = _vault.Uploads.ListUploads(bucket, [], null, null, 100);
        var afterFirstB = _vault.Uploads.ListUploads(bucket, [], "b"u8.ToArray(), bIds[0], 100);
        var afterKeyA = _vault.Uploads.ListUploads(bucket, [], "a"u8.ToArray(), null, 100);

        Assert.Equal([a.UploadId, bIds[0], bIds[1]], all.Select(u => u.UploadId));
        Assert.Equal([bIds[1]], afterFirstB.Select(u => u.UploadId));
        Assert.Equal(bIds, afterKeyA.Select(u => u.UploadId));
    }

    private static NewVersion Build(string bucket, string key, params UploadedPart[] parts) =>
        new(bucket, key, parts.Sum(p => p.Size), "\"multi-" + parts.Length + "\"", StoredHeaders.Empty, null, parts.Select(p => new Segment(p.FileId, p.Size, p.ETag)).ToList());

    private async Task<Mutation<UploadedPart>> PutPartAsync(string bucket, string key, string uploadId, int number, string content)
    {
        var segment = await _vault.WriteFileAsync(content);
        return await _vault.Uploads.PutPartAsync(bucket, key, uploadId, new UploadedPart(number, segment.FileId, segment.Size, "\"" + content + "\"", null, TestVault.Now));
    }
}
