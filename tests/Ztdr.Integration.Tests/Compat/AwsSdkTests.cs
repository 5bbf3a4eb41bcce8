using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>
/// AWSSDK.S3 v4 at its default settings (signed aws-chunked bodies with a CRC32 trailer, virtual-host addressing
/// falling back to path style for an IP endpoint): store, list, read, version and delete.
/// </summary>
public sealed class AwsSdkTests : IClassFixture<VaultFixture>
{
    private const string Bucket = VaultProcess.DefaultBucket;
    private readonly VaultFixture _fixture;

    public AwsSdkTests(VaultFixture fixture)
    {
        _fixture = fixture;
    }

    private AmazonS3Client Client => _fixture.Client;

    [Fact]
    public async Task TransferUtility_20MiBUpload_GoesMultipartAndReadsBackWithRanges()
    {
        var data = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        using var transfer = new TransferUtility(Client);

        await transfer.UploadAsync(new MemoryStream(data), Bucket, "sdk/big.bin");
        var head = await Client.GetObjectMetadataAsync(Bucket, "sdk/big.bin");
        using var ranged = await Client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "sdk/big.bin", ByteRange = new ByteRange(5_000_000, 5_000_999) });
        using var whole = await Client.GetObjectAsync(Bucket, "sdk/big.bin");

        Assert.Equal(data.LongLength, head.ContentLength);
        Assert.Matches("^\"[0-9a-f]{32}-[0-9]+\"$", head.ETag);
        Assert.Equal(HttpStatusCode.PartialContent, ranged.HttpStatusCode);
        Assert.Equal(data[5_000_000..5_001_000], await ReadAllAsync(ranged.ResponseStream));
        Assert.Equal(SHA256.HashData(data), await SHA256.HashDataAsync(whole.ResponseStream));
    }

    [Fact]
    public async Task ListObjectsV2_DelimiterAndMaxKeys2_PagesThroughKeysAndFolders()
    {
        string[] keys = ["sdk/list/a", "sdk/list/b c+d", "sdk/list/dir1/x", "sdk/list/dir1/y", "sdk/list/dir2/z", "sdk/list/\u00e9\u4e2d"];
        foreach (var key in keys)
        {
            await Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = key });
        }

        var contents = new List<string>();
        var prefixes = new List<string>();
        var pages = 0;
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = "sdk/list/", Delimiter = "/", MaxKeys = 2 };
        ListObjectsV2Response page;
        do
        {
            page = await Client.ListObjectsV2Async(request);
            pages++;
            contents.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            prefixes.AddRange(page.CommonPrefixes ?? []);
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        Assert.Equal(["sdk/list/a", "sdk/list/b c+d", "sdk/list/\u00e9\u4e2d"], contents);
        Assert.Equal(["sdk/list/dir1/", "sdk/list/dir2/"], prefixes);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task ListVersions_AfterOverwriteAndDelete_ShowsVersionsNewestFirstUnderDeleteMarker()
    {
        var first = await Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "sdk/ver", ContentBody = "one" });
        var second = await Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "sdk/ver", ContentBody = "two!" });
        var deleted = await Client.DeleteObjectAsync(Bucket, "sdk/ver");

        var versions = await Client.ListVersionsAsync(new ListVersionsRequest { BucketName = Bucket, Prefix = "sdk/ver" });
        using var old = await Client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "sdk/ver", VersionId = first.VersionId });
        var current = await Assert.ThrowsAsync<NoSuchKeyException>(() => Client.GetObjectAsync(Bucket, "sdk/ver"));

        Assert.Equal(
            [(deleted.VersionId, true, true), (second.VersionId, false, false), (first.VersionId, false, false)],
            versions.Versions.Select(v => (v.VersionId, v.IsDeleteMarker == true, v.IsLatest == true)));
        Assert.Equal("one"u8.ToArray(), await ReadAllAsync(old.ResponseStream));
        Assert.Equal(HttpStatusCode.NotFound, current.StatusCode);
    }

    [Fact]
    public async Task DeleteObjects_ThreeKeys_AllDeletedAndUnlisted()
    {
        string[] keys = ["sdk/del/1", "sdk/del/2", "sdk/del/3"];
        foreach (var key in keys)
        {
            await Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = key });
        }

        var copy = await Client.CopyObjectAsync(Bucket, "sdk/del/1", Bucket, "sdk/copied");
        var result = await Client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = Bucket, Objects = keys.Select(k => new KeyVersion { Key = k }).ToList() });
        var left = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "sdk/del/" });
        using var copied = await Client.GetObjectAsync(Bucket, "sdk/copied");

        Assert.Equal(keys, result.DeletedObjects.Select(d => d.Key).Order(StringComparer.Ordinal));
        Assert.Empty(result.DeleteErrors ?? []);
        Assert.Empty(left.S3Objects ?? []);
        Assert.Equal(HttpStatusCode.OK, copy.HttpStatusCode);
        Assert.Equal("sdk/del/1"u8.ToArray(), await ReadAllAsync(copied.ResponseStream));
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
