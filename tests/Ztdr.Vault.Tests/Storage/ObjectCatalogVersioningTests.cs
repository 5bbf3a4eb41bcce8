using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tests.Storage;

public sealed class ObjectCatalogVersioningTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task PutAsync_Enabled_EveryPutIsANewLatestVersionAndOrphansNothing()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);

        var first = await _vault.PutAsync(bucket, "k", "one");
        var second = await _vault.PutAsync(bucket, "k", "two");

        Assert.Empty(first.OrphanedFiles);
        Assert.Empty(second.OrphanedFiles);
        Assert.NotEqual(ObjectVersion.NullVersionId, first.Result.VersionId);
        Assert.NotEqual(first.Result.VersionId, second.Result.VersionId);
        Assert.True(second.Result.Sequence > first.Result.Sequence);
        var latest = _vault.Objects.Find(bucket, "k", null)!;
        Assert.Equal(second.Result.VersionId, latest.VersionId);
        Assert.Equal("two", _vault.ReadFile(Assert.Single(latest.Segments).FileId));
        var old = _vault.Objects.Find(bucket, "k", first.Result.VersionId)!;
        Assert.False(old.IsLatest);
        Assert.Equal("one", _vault.ReadFile(Assert.Single(old.Segments).FileId));
    }

    [Fact]
    public async Task PutAsync_EnabledWithSameClockReading_LatestIsDecidedBySequenceNotTime()
    {
        // The test clock never moves: every version has the same last-modified time.
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await _vault.PutAsync(bucket, "k", "v" + i)).Result.VersionId);
        }

        var versions = _vault.Objects.ListVersions(bucket, [], null, null, 100);

        Assert.Equal(ids.AsEnumerable().Reverse(), versions.Select(v => v.VersionId));
        Assert.Equal([true, false, false, false, false], versions.Select(v => v.IsLatest));
    }

    [Fact]
    public async Task DeleteAsync_EnabledWithoutVersionId_CreatesLatestDeleteMarkerAndKeepsData()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var put = await _vault.PutAsync(bucket, "k");

        var delete = await _vault.Objects.DeleteAsync(bucket, "k", null);

        Assert.True(delete.Result.IsDeleteMarker);
        Assert.NotNull(delete.Result.VersionId);
        Assert.NotEqual(ObjectVersion.NullVersionId, delete.Result.VersionId);
        Assert.Empty(delete.OrphanedFiles);
        var latest = _vault.Objects.Find(bucket, "k", null)!;
        Assert.True(latest.IsDeleteMarker);
        Assert.Equal(delete.Result.VersionId, latest.VersionId);
        Assert.Empty(_vault.Objects.ListLatest(bucket, [], null, 100));
        Assert.True(_vault.Files.Exists(put.Result.Segments[0].FileId));
        Assert.NotNull(_vault.Objects.Find(bucket, "k", put.Result.VersionId));
    }

    [Fact]
    public async Task DeleteAsync_EnabledByIdOfLatest_RemovesItReturnsItsFileAndReElectsPrevious()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var first = await _vault.PutAsync(bucket, "k", "one");
        var second = await _vault.PutAsync(bucket, "k", "two");

        var delete = await _vault.Objects.DeleteAsync(bucket, "k", second.Result.VersionId);

        Assert.Equal(second.Result.VersionId, delete.Result.VersionId);
        Assert.False(delete.Result.IsDeleteMarker);
        Assert.Equal([second.Result.Segments[0].FileId], delete.OrphanedFiles);
        Assert.Null(_vault.Objects.Find(bucket, "k", second.Result.VersionId));
        var latest = _vault.Objects.Find(bucket, "k", null)!;
        Assert.Equal(first.Result.VersionId, latest.VersionId);
        Assert.True(latest.IsLatest);
    }

    [Fact]
    public async Task DeleteAsync_EnabledByIdOfOlderVersion_KeepsLatest()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var first = await _vault.PutAsync(bucket, "k", "one");
        var second = await _vault.PutAsync(bucket, "k", "two");

        var delete = await _vault.Objects.DeleteAsync(bucket, "k", first.Result.VersionId);

        Assert.Equal([first.Result.Segments[0].FileId], delete.OrphanedFiles);
        var versions = _vault.Objects.ListVersions(bucket, [], null, null, 100);
        var only = Assert.Single(versions);
        Assert.Equal(second.Result.VersionId, only.VersionId);
        Assert.True(only.IsLatest);
    }

    [Fact]
    public async Task DeleteAsync_ByIdOfDeleteMarker_UndeletesPreviousVersion()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var put = await _vault.PutAsync(bucket, "k", "one");
        var marker = await _vault.Objects.DeleteAsync(bucket, "k", null);

        var undelete = await _vault.Objects.DeleteAsync(bucket, "k", marker.Result.VersionId);

        Assert.True(undelete.Result.IsDeleteMarker);
        Assert.Equal(marker.Result.VersionId, undelete.Result.VersionId);
        Assert.Empty(undelete.OrphanedFiles);
        var latest = _vault.Objects.Find(bucket, "k", null)!;
        Assert.False(latest.IsDeleteMarker);
        Assert.Equal(put.Result.VersionId, latest.VersionId);
        Assert.Equal("k", Assert.Single(_vault.Objects.ListLatest(bucket, [], null, 100)).Key);
    }

    [Fact]
    public async Task DeleteAsync_UnknownVersionId_ChangesNothing()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var put = await _vault.PutAsync(bucket, "k");

        var delete = await _vault.Objects.DeleteAsync(bucket, "k", "01ARZ3NDEKTSV4RRFFQ69G5FAV");

        Assert.False(delete.Result.IsDeleteMarker);
        Assert.Empty(delete.OrphanedFiles);
        Assert.Equal(put.Result.VersionId, _vault.Objects.Find(bucket, "k", null)!.VersionId);
    }

    [Fact]
    public async Task DeleteAsync_LastVersionById_LeavesNoLatestAndNoListing()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var put = await _vault.PutAsync(bucket, "k");

        await _vault.Objects.DeleteAsync(bucket, "k", put.Result.VersionId);

        Assert.Null(_vault.Objects.Find(bucket, "k", null));
        Assert.Empty(_vault.Objects.ListVersions(bucket, [], null, null, 100));
    }

    [Fact]
    public async Task PutAsync_Unversioned_ReplacesNullVersionAndOrphansOldFile()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Unversioned);
        var first = await _vault.PutAsync(bucket, "k", "one");

        var second = await _vault.PutAsync(bucket, "k", "two");

        Assert.Equal(ObjectVersion.NullVersionId, first.Result.VersionId);
        Assert.Equal(ObjectVersion.NullVersionId, second.Result.VersionId);
        Assert.Equal([first.Result.Segments[0].FileId], second.OrphanedFiles);
        var only = Assert.Single(_vault.Objects.ListVersions(bucket, [], null, null, 100));
        Assert.True(only.IsLatest);
        Assert.Equal("two", _vault.ReadFile(_vault.Objects.Find(bucket, "k", null)!.Segments[0].FileId));
    }

    [Fact]
    public async Task DeleteAsync_UnversionedWithoutVersionId_RemovesObjectAndReturnsItsFile()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Unversioned);
        var put = await _vault.PutAsync(bucket, "k");

        var delete = await _vault.Objects.DeleteAsync(bucket, "k", null);

        Assert.Null(delete.Result.VersionId);
        Assert.False(delete.Result.IsDeleteMarker);
        Assert.Equal([put.Result.Segments[0].FileId], delete.OrphanedFiles);
        Assert.Empty(_vault.Objects.ListVersions(bucket, [], null, null, 100));
    }

    [Fact]
    public async Task PutAsync_SuspendedAfterEnabled_ReplacesOnlyNullVersionAndKeepsVersionedOnes()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var versioned = await _vault.PutAsync(bucket, "k", "versioned");
        await _vault.Buckets.SetVersioningAsync(bucket, VersioningState.Suspended);
        var firstNull = await _vault.PutAsync(bucket, "k", "null-1");

        var secondNull = await _vault.PutAsync(bucket, "k", "null-2");

        Assert.Empty(firstNull.OrphanedFiles);
        Assert.Equal(ObjectVersion.NullVersionId, secondNull.Result.VersionId);
        Assert.Equal([firstNull.Result.Segments[0].FileId], secondNull.OrphanedFiles);
        var versions = _vault.Objects.ListVersions(bucket, [], null, null, 100);
        Assert.Equal([ObjectVersion.NullVersionId, versioned.Result.VersionId], versions.Select(v => v.VersionId));
        Assert.Equal([true, false], versions.Select(v => v.IsLatest));
    }

    [Fact]
    public async Task DeleteAsync_SuspendedWithoutVersionId_ReplacesNullVersionByNullMarker()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var versioned = await _vault.PutAsync(bucket, "k", "versioned");
        await _vault.Buckets.SetVersioningAsync(bucket, VersioningState.Suspended);
        var nullVersion = await _vault.PutAsync(bucket, "k", "null");

        var delete = await _vault.Objects.DeleteAsync(bucket, "k", null);

        Assert.True(delete.Result.IsDeleteMarker);
        Assert.Equal(ObjectVersion.NullVersionId, delete.Result.VersionId);
        Assert.Equal([nullVersion.Result.Segments[0].FileId], delete.OrphanedFiles);
        var versions = _vault.Objects.ListVersions(bucket, [], null, null, 100);
        Assert.Equal(2, versions.Count);
        Assert.True(versions[0].IsDeleteMarker && versions[0].IsLatest && versions[0].VersionId == ObjectVersion.NullVersionId);
        Assert.Equal(versioned.Result.VersionId, versions[1].VersionId);
        Assert.False(versions[1].IsLatest);
    }

    [Fact]
    public async Task DeleteAsync_SuspendedTwice_KeepsOneNullMarker()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Suspended);
        await _vault.PutAsync(bucket, "k");

        await _vault.Objects.DeleteAsync(bucket, "k", null);
        var again = await _vault.Objects.DeleteAsync(bucket, "k", null);

        Assert.Empty(again.OrphanedFiles);
        var only = Assert.Single(_vault.Objects.ListVersions(bucket, [], null, null, 100));
        Assert.True(only.IsDeleteMarker);
        Assert.True(only.IsLatest);
    }

    [Fact]
    public async Task PutAsync_SuspendedOverNullMarker_ReplacesMarkerWithObject()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Suspended);
        await _vault.Objects.DeleteAsync(bucket, "k", null);

        var put = await _vault.PutAsync(bucket, "k", "back");

        Assert.Empty(put.OrphanedFiles);
        var only = Assert.Single(_vault.Objects.ListVersions(bucket, [], null, null, 100));
        Assert.False(only.IsDeleteMarker);
        Assert.Equal("back", _vault.ReadFile(_vault.Objects.Find(bucket, "k", null)!.Segments[0].FileId));
    }

    [Fact]
    public async Task PutAsync_NoSuchBucket_IsRefused()
    {
        var segment = await _vault.WriteFileAsync("x");

        var error = await Assert.ThrowsAsync<Ztdr.S3.Errors.S3Exception>(() =>
            _vault.Objects.PutAsync(new NewVersion("missing", "k", 1, "\"e\"", StoredHeaders.Empty, null, [segment])));

        Assert.Equal("NoSuchBucket", error.Error.Code);
    }

    [Fact]
    public async Task PutAsync_HeadersAndChecksum_RoundTripThroughMetadataStore()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var segment = await _vault.WriteFileAsync("x");
        var headers = new StoredHeaders("text/plain", "gzip", "attachment", "en", "no-cache", "Thu, 01 Dec 1994 16:00:00 GMT", [new("a", "1"), new("b", "ü")]);
        var checksum = new StoredChecksum("CRC32", "AAAAAA==", "FULL_OBJECT");

        await _vault.Objects.PutAsync(new NewVersion(bucket, "k", 1, "\"e\"", headers, checksum, [segment]));

        var found = _vault.Objects.Find(bucket, "k", null)!;
        Assert.Equal(headers.ContentType, found.Headers.ContentType);
        Assert.Equal(headers.ContentEncoding, found.Headers.ContentEncoding);
        Assert.Equal(headers.ContentDisposition, found.Headers.ContentDisposition);
        Assert.Equal(headers.ContentLanguage, found.Headers.ContentLanguage);
        Assert.Equal(headers.CacheControl, found.Headers.CacheControl);
        Assert.Equal(headers.Expires, found.Headers.Expires);
        Assert.Equal(headers.UserMetadata, found.Headers.UserMetadata);
        Assert.Equal(checksum, found.Checksum);
        Assert.Equal(TestVault.Now, found.LastModified);
    }
}
