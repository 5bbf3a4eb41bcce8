using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Integration.Tests.Vault;

public sealed class ObjectApiTests : IClassFixture<VaultFixture>
{
    private const string Bucket = "backups";
    private readonly AmazonS3Client _s3;

    public ObjectApiTests(VaultFixture fixture)
    {
        _s3 = fixture.Client;
    }

    [Fact]
    public async Task PutObject_WithHeadersAndMetadata_GetReturnsThemWithMd5ETag()
    {
        var data = Encoding.UTF8.GetBytes("hello, vault");
        var put = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = "obj/meta.txt",
            InputStream = new MemoryStream(data),
            ContentType = "text/plain",
        };
        put.Metadata.Add("owner", "backup-team");
        put.Headers.ContentDisposition = "attachment; filename=\"meta.txt\"";
        put.Headers.CacheControl = "no-cache";
        var putResponse = await _s3.PutObjectAsync(put);

        using var get = await _s3.GetObjectAsync(Bucket, "obj/meta.txt");
        Assert.Equal(data, await S3Assert.ReadAllAsync(get.ResponseStream));
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"", get.ETag);
        Assert.Equal(putResponse.ETag, get.ETag);
        Assert.Equal(putResponse.VersionId, get.VersionId);
        Assert.Equal("text/plain", get.Headers.ContentType);
        Assert.Equal("backup-team", get.Metadata["x-amz-meta-owner"]);
        Assert.Equal("attachment; filename=\"meta.txt\"", get.Headers.ContentDisposition);
        Assert.Equal("no-cache", get.Headers.CacheControl);
        Assert.Equal(data.Length, get.ContentLength);
    }

    [Fact]
    public async Task PutObject_SameKeyTwice_KeepsBothVersionsAndGetByVersionIdReturnsOld()
    {
        var first = await Put("obj/versioned.txt", "one");
        var second = await Put("obj/versioned.txt", "two");
        Assert.NotEqual(first.VersionId, second.VersionId);

        Assert.Equal("two", await GetText("obj/versioned.txt"));
        Assert.Equal("one", await GetText("obj/versioned.txt", first.VersionId));
        var versions = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = Bucket, Prefix = "obj/versioned.txt" });
        Assert.Equal([second.VersionId, first.VersionId], versions.Versions.Select(v => v.VersionId));
        Assert.Equal([true, false], versions.Versions.Select(v => v.IsLatest ?? false));
    }

    [Fact]
    public async Task GetObject_Range_Returns206WithContentRange()
    {
        var data = RandomNumberGenerator.GetBytes(10_000);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "obj/range.bin", InputStream = new MemoryStream(data) });

        using var middle = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/range.bin", ByteRange = new ByteRange(100, 199) });
        Assert.Equal(HttpStatusCode.PartialContent, middle.HttpStatusCode);
        Assert.Equal("bytes 100-199/10000", middle.ContentRange);
        Assert.Equal(data[100..200], await S3Assert.ReadAllAsync(middle.ResponseStream));

        using var suffix = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/range.bin", ByteRange = new ByteRange("bytes=-10") });
        Assert.Equal(data[^10..], await S3Assert.ReadAllAsync(suffix.ResponseStream));

        await S3Assert.FailsWith("InvalidRange", HttpStatusCode.RequestedRangeNotSatisfiable, () =>
            _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/range.bin", ByteRange = new ByteRange(20_000, 20_100) }));
    }

    [Fact]
    public async Task GetObject_Conditionals_Return304And412()
    {
        var put = await Put("obj/cond.txt", "conditional");
        var notModified = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/cond.txt", EtagToNotMatch = put.ETag }));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        await S3Assert.FailsWith("PreconditionFailed", HttpStatusCode.PreconditionFailed, () =>
            _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/cond.txt", EtagToMatch = "\"0123\"" }));

        using var match = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/cond.txt", EtagToMatch = put.ETag });
        Assert.Equal(HttpStatusCode.OK, match.HttpStatusCode);
    }

    [Fact]
    public async Task GetObject_ResponseHeaderOverrides_AreApplied()
    {
        await Put("obj/override.txt", "x");
        var request = new GetObjectRequest { BucketName = Bucket, Key = "obj/override.txt" };
        request.ResponseHeaderOverrides.ContentType = "application/x-override";
        request.ResponseHeaderOverrides.ContentDisposition = "inline";
        using var get = await _s3.GetObjectAsync(request);
        Assert.Equal("application/x-override", get.Headers.ContentType);
        Assert.Equal("inline", get.Headers.ContentDisposition);
    }

    [Fact]
    public async Task DeleteObject_WithoutVersion_CreatesMarkerThatHidesButKeepsData()
    {
        var put = await Put("obj/deleted.txt", "still here");
        var delete = await _s3.DeleteObjectAsync(Bucket, "obj/deleted.txt");
        Assert.Equal("true", delete.DeleteMarker);
        Assert.False(string.IsNullOrEmpty(delete.VersionId));

        await S3Assert.FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => _s3.GetObjectAsync(Bucket, "obj/deleted.txt"));
        Assert.Equal("still here", await GetText("obj/deleted.txt", put.VersionId));

        await S3Assert.FailsWith(string.Empty, HttpStatusCode.MethodNotAllowed, () =>
            _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/deleted.txt", VersionId = delete.VersionId }));

        // Removing the marker brings the object back.
        await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = "obj/deleted.txt", VersionId = delete.VersionId });
        Assert.Equal("still here", await GetText("obj/deleted.txt"));
    }

    [Fact]
    public async Task DeleteObject_WithVersionId_RemovesOnlyThatVersion()
    {
        var first = await Put("obj/two-versions.txt", "first");
        var second = await Put("obj/two-versions.txt", "second");
        await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = "obj/two-versions.txt", VersionId = second.VersionId });
        Assert.Equal("first", await GetText("obj/two-versions.txt"));
        await S3Assert.FailsWith("NoSuchVersion", HttpStatusCode.NotFound, () =>
            _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/two-versions.txt", VersionId = second.VersionId }));

        // Deleting a version that no longer exists is idempotent.
        var again = await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = "obj/two-versions.txt", VersionId = second.VersionId });
        Assert.Equal(HttpStatusCode.NoContent, again.HttpStatusCode);
        Assert.Equal("first", await GetText("obj/two-versions.txt", first.VersionId));
    }

    [Fact]
    public async Task DeleteObjects_MixedEntries_ReportsEachAndCreatesMarkers()
    {
        var kept = await Put("multi/a.txt", "a");
        await Put("multi/b.txt", "b");
        var response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = Bucket,
            Objects = [new KeyVersion { Key = "multi/a.txt" }, new KeyVersion { Key = "multi/b.txt" }, new KeyVersion { Key = "multi/never-existed" }],
        });
        Assert.Equal(3, response.DeletedObjects.Count);
        Assert.All(response.DeletedObjects, d => Assert.True(d.DeleteMarker));
        Assert.Empty(response.DeleteErrors ?? []);
        await S3Assert.FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => _s3.GetObjectAsync(Bucket, "multi/a.txt"));
        Assert.Equal("a", await GetText("multi/a.txt", kept.VersionId));
    }

    [Fact]
    public async Task CopyObject_CopiesBytesAndMetadataOrReplacesThem()
    {
        var put = new PutObjectRequest { BucketName = Bucket, Key = "copy/source.txt", ContentBody = "copy me", ContentType = "text/plain" };
        put.Metadata.Add("origin", "source");
        await _s3.PutObjectAsync(put);

        var copy = await _s3.CopyObjectAsync(Bucket, "copy/source.txt", Bucket, "copy/dest.txt");
        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("copy me"))) + "\"", copy.ETag);
        using (var get = await _s3.GetObjectAsync(Bucket, "copy/dest.txt"))
        {
            Assert.Equal("copy me", Encoding.UTF8.GetString(await S3Assert.ReadAllAsync(get.ResponseStream)));
            Assert.Equal("source", get.Metadata["x-amz-meta-origin"]);
            Assert.Equal("text/plain", get.Headers.ContentType);
        }

        var replace = new CopyObjectRequest { SourceBucket = Bucket, SourceKey = "copy/source.txt", DestinationBucket = Bucket, DestinationKey = "copy/replaced.txt", MetadataDirective = S3MetadataDirective.REPLACE, ContentType = "application/json" };
        replace.Metadata.Add("origin", "replaced");
        await _s3.CopyObjectAsync(replace);
        using (var get = await _s3.GetObjectAsync(Bucket, "copy/replaced.txt"))
        {
            Assert.Equal("replaced", get.Metadata["x-amz-meta-origin"]);
            Assert.Equal("application/json", get.Headers.ContentType);
        }

        await S3Assert.FailsWith("InvalidRequest", HttpStatusCode.BadRequest, () => _s3.CopyObjectAsync(Bucket, "copy/source.txt", Bucket, "copy/source.txt"));
        await S3Assert.FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => _s3.CopyObjectAsync(Bucket, "copy/missing.txt", Bucket, "copy/x.txt"));
    }

    [Theory]
    [InlineData("keys/with space.txt")]
    [InlineData("keys/plus+sign.txt")]
    [InlineData("keys/percent%20literal.txt")]
    [InlineData("keys/ünïcødé/日本語/😀.txt")]
    [InlineData("keys//double//slash")]
    [InlineData("keys/special !$&'()*,;=@:[]~.txt")]
    public async Task PutObject_UnusualKey_RoundTripsAndLists(string key)
    {
        await Put(key, key);
        Assert.Equal(key, await GetText(key));
        var listing = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = key });
        Assert.Contains(listing.S3Objects, o => o.Key == key);
    }

    [Fact]
    public async Task PutObject_KeyOver1024Bytes_IsRefusedWithKeyTooLong()
    {
        await S3Assert.FailsWith("KeyTooLongError", HttpStatusCode.BadRequest, () => Put(new string('k', 1025), "x"));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../etc/passwd")]
    [InlineData("a/./b")]
    public async Task PutObject_DotSegmentKey_IsRefusedAndNothingStored(string key)
    {
        await S3Assert.FailsWith("InvalidArgument", HttpStatusCode.BadRequest, () => Put(key, "x"));
        var listing = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = key[..1] });
        Assert.DoesNotContain(listing.S3Objects ?? [], o => o.Key == key);
    }

    [Fact]
    public async Task PutObject_WrongContentMd5_IsBadDigestAndStoresNothing()
    {
        var put = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = "obj/bad-md5.txt",
            ContentBody = "payload",
            MD5Digest = Convert.ToBase64String(MD5.HashData(Encoding.UTF8.GetBytes("other payload"))),
        };
        await S3Assert.FailsWith("BadDigest", HttpStatusCode.BadRequest, () => _s3.PutObjectAsync(put));
        await S3Assert.FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => _s3.GetObjectAsync(Bucket, "obj/bad-md5.txt"));
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("CRC32C")]
    [InlineData("SHA1")]
    [InlineData("CRC32")]
    public async Task PutObject_WithChecksumAlgorithm_StoresAndReturnsChecksum(string algorithm)
    {
        var data = RandomNumberGenerator.GetBytes(200_000);
        var put = await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = "obj/checksum-" + algorithm,
            InputStream = new MemoryStream(data),
            ChecksumAlgorithm = ChecksumAlgorithm.FindValue(algorithm),
        });
        Assert.Equal(HttpStatusCode.OK, put.HttpStatusCode);
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/checksum-" + algorithm, ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(data, await S3Assert.ReadAllAsync(get.ResponseStream));
        var expected = algorithm switch
        {
            "SHA256" => Convert.ToBase64String(SHA256.HashData(data)),
            "SHA1" => Convert.ToBase64String(SHA1.HashData(data)),
            _ => null,
        };
        var returned = algorithm switch
        {
            "SHA256" => get.ChecksumSHA256,
            "SHA1" => get.ChecksumSHA1,
            "CRC32C" => get.ChecksumCRC32C,
            _ => get.ChecksumCRC32,
        };
        Assert.False(string.IsNullOrEmpty(returned));
        if (expected is not null)
        {
            Assert.Equal(expected, returned);
        }
    }

    [Fact]
    public async Task HeadObject_MissingKeyAndBucket_Return404()
    {
        await S3Assert.FailsWith(string.Empty, HttpStatusCode.NotFound, () => _s3.GetObjectMetadataAsync(Bucket, "obj/nope"));
        await S3Assert.FailsWith("NoSuchBucket", HttpStatusCode.NotFound, () => _s3.GetObjectAsync("no-such-bucket", "x"));
    }

    [Fact]
    public async Task GetObject_MalformedVersionId_IsInvalidArgument()
    {
        await Put("obj/vid.txt", "v");
        await S3Assert.FailsWith("InvalidArgument", HttpStatusCode.BadRequest, () =>
            _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "obj/vid.txt", VersionId = "not-a-version" }));
    }

    private Task<PutObjectResponse> Put(string key, string content) =>
        _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = content });

    private async Task<string> GetText(string key, string? versionId = null)
    {
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key, VersionId = versionId });
        return Encoding.UTF8.GetString(await S3Assert.ReadAllAsync(get.ResponseStream));
    }
}
