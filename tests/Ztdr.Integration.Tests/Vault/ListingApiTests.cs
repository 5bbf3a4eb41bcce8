using System.Text;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Integration.Tests.Vault;

public sealed class ListingApiTests : IClassFixture<ListingApiTests.SeededVault>
{
    private readonly SeededVault _fixture;
    private readonly AmazonS3Client _s3;

    public ListingApiTests(SeededVault fixture)
    {
        _fixture = fixture;
        _s3 = fixture.Client;
    }

    [Fact]
    public async Task ListObjectsV2_PagesOfTwoWithDelimiter_VisitEveryEntryOnceInOrder()
    {
        var keys = new List<string>();
        var prefixes = new List<string>();
        string? token = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "listing", Delimiter = "/", MaxKeys = 2, ContinuationToken = token });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            prefixes.AddRange(page.CommonPrefixes ?? []);
            Assert.True((page.S3Objects?.Count ?? 0) + (page.CommonPrefixes?.Count ?? 0) <= 2);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);

        Assert.Equal(["a.txt", "b.txt", "z.txt"], keys);
        Assert.Equal(["dir1/", "dir2/", "dir3/", "enc/", "versions/"], prefixes);
    }

    [Fact]
    public async Task ListObjectsV2_Prefix_ListsOnlyThatFolderInByteOrder()
    {
        var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "listing", Prefix = "dir2/" });
        Assert.Equal(["dir2/A", "dir2/a", "dir2/é", "dir2/😀"], page.S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task ListObjectsV1_MarkerPaging_VisitsEveryKey()
    {
        var keys = new List<string>();
        string? marker = null;
        while (true)
        {
            var page = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = "listing", MaxKeys = 3, Marker = marker });
            keys.AddRange(page.S3Objects.Select(o => o.Key));
            if (page.IsTruncated != true)
            {
                break;
            }

            marker = page.S3Objects[^1].Key;
        }

        Assert.Equal(_fixture.CurrentKeys, keys);
    }

    [Fact]
    public async Task ListVersions_PagesOfOne_VisitEveryVersionAndMarkerNewestFirst()
    {
        var seen = new List<(string Key, string VersionId, bool Marker)>();
        string? keyMarker = null;
        string? versionMarker = null;
        while (true)
        {
            var page = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = "listing", Prefix = "versions/", MaxKeys = 1, KeyMarker = keyMarker, VersionIdMarker = versionMarker });
            seen.AddRange(page.Versions.Select(v => (v.Key, v.VersionId, v.IsDeleteMarker ?? false)));
            if (page.IsTruncated != true)
            {
                break;
            }

            (keyMarker, versionMarker) = (page.NextKeyMarker, page.NextVersionIdMarker);
        }

        Assert.Equal(_fixture.VersionsNewestFirst, seen);
    }

    [Fact]
    public async Task ListObjectsV2_EncodingTypeUrl_EncodesKeysAndEchoesIt()
    {
        using var raw = new RawS3(_fixture.Vault);
        var response = await raw.SendAsync("GET", "/listing?list-type=2&prefix=enc%2F&encoding-type=url");
        Assert.Equal(200, response.Status);
        var root = XDocument.Parse(response.Text).Root!;
        var ns = root.Name.Namespace;
        Assert.Equal("url", root.Element(ns + "EncodingType")!.Value);
        Assert.Equal(["enc/a%20b%2Bc", "enc/%C3%BC"], root.Elements(ns + "Contents").Select(c => c.Element(ns + "Key")!.Value));
    }

    [Fact]
    public async Task ListObjectsV2_MaxKeysZero_ReturnsEmptyUntruncatedPage()
    {
        // As AWS and ceph's s3-tests (test_bucket_list_maxkeys_zero): a truncated page with no resume point would loop a pager forever.
        var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "listing", MaxKeys = 0 });
        Assert.Empty(page.S3Objects ?? []);
        Assert.False(page.IsTruncated ?? false);
    }

    public sealed class SeededVault : IAsyncLifetime
    {
        private readonly VaultFixture _inner = new();

        public Ztdr.Testing.VaultProcess Vault => _inner.Vault;

        public AmazonS3Client Client => _inner.Client;

        public List<string> CurrentKeys { get; } = [];

        public List<(string Key, string VersionId, bool Marker)> VersionsNewestFirst { get; } = [];

        public async Task InitializeAsync()
        {
            await _inner.InitializeAsync();
            await Client.PutBucketAsync("listing");
            await Client.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = "listing", VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
            string[] keys = ["a.txt", "b.txt", "dir1/x", "dir1/y", "dir2/A", "dir2/a", "dir2/é", "dir2/😀", "dir3/deep/z", "enc/a b+c", "enc/ü", "z.txt"];
            foreach (var key in keys)
            {
                await Client.PutObjectAsync(new PutObjectRequest { BucketName = "listing", Key = key, ContentBody = key });
            }

            var v1 = await Client.PutObjectAsync(new PutObjectRequest { BucketName = "listing", Key = "versions/k", ContentBody = "1" });
            var v2 = await Client.PutObjectAsync(new PutObjectRequest { BucketName = "listing", Key = "versions/k", ContentBody = "2" });
            var marker = await Client.DeleteObjectAsync("listing", "versions/k");
            var other = await Client.PutObjectAsync(new PutObjectRequest { BucketName = "listing", Key = "versions/l", ContentBody = "3" });
            VersionsNewestFirst.AddRange([("versions/k", marker.VersionId, true), ("versions/k", v2.VersionId, false), ("versions/k", v1.VersionId, false), ("versions/l", other.VersionId, false)]);
            CurrentKeys.AddRange(keys.Append("versions/l").OrderBy(k => Encoding.UTF8.GetBytes(k), new ByteOrder()));
        }

        public Task DisposeAsync() => _inner.DisposeAsync();

        private sealed class ByteOrder : IComparer<byte[]>
        {
            public int Compare(byte[]? x, byte[]? y) => x!.AsSpan().SequenceCompareTo(y);
        }
    }
}
