using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Ztdr.S3.Signing;
using Ztdr.Vault.Api;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tests.Storage;

namespace Ztdr.Vault.Tests.Api;

/// <summary>The list operations end to end below HTTP: query parameters in, S3's XML out, over a real catalog.</summary>
public sealed class ListOperationsTests : IDisposable
{
    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly TestVault _vault = new();
    private readonly ListOperations _operations;

    public ListOperationsTests()
    {
        _operations = new ListOperations(_vault.Store);
    }

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task ListVersionsAsync_MarkerVersionDeletedBetweenPages_SkipsNothing()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var v1 = (await _vault.PutAsync(bucket, "k", "1")).Result.VersionId;
        var v2 = (await _vault.PutAsync(bucket, "k", "2")).Result.VersionId;
        var v3 = (await _vault.PutAsync(bucket, "k", "3")).Result.VersionId;
        var m1 = (await _vault.PutAsync(bucket, "m", "m")).Result.VersionId;

        var first = await RunAsync(_operations.ListVersionsAsync, $"/{bucket}?versions&max-keys=2");
        Assert.Equal([v3, v2], VersionIds(first));
        Assert.Equal("k", first.Root!.Element(S3 + "NextKeyMarker")!.Value);
        Assert.Equal(v2, first.Root!.Element(S3 + "NextVersionIdMarker")!.Value);

        await _vault.Objects.DeleteAsync(bucket, "k", v2);
        var rest = new List<string>();
        var query = $"/{bucket}?versions&max-keys=2&key-marker=k&version-id-marker={v2}";
        for (var i = 0; i < 10; i++)
        {
            var page = await RunAsync(_operations.ListVersionsAsync, query);
            rest.AddRange(VersionIds(page));
            if (page.Root!.Element(S3 + "IsTruncated")!.Value != "true")
            {
                break;
            }

            query = $"/{bucket}?versions&max-keys=2&key-marker={page.Root.Element(S3 + "NextKeyMarker")!.Value}&version-id-marker={page.Root.Element(S3 + "NextVersionIdMarker")!.Value}";
        }

        Assert.Contains(v1, rest);
        Assert.Contains(m1, rest);
        Assert.DoesNotContain(v2, rest);
    }

    [Fact]
    public async Task ListObjectsV2Async_MaxKeysZero_IsNotTruncatedAndHasNoToken()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a", "b"]);

        var page = await RunAsync(_operations.ListObjectsV2Async, $"/{bucket}?list-type=2&max-keys=0");

        Assert.Equal("false", page.Root!.Element(S3 + "IsTruncated")!.Value);
        Assert.Null(page.Root.Element(S3 + "NextContinuationToken"));
        Assert.Empty(page.Root.Elements(S3 + "Contents"));
    }

    [Fact]
    public async Task ListObjectsV2Async_ContinuationTokenAfterCommonPrefix_DoesNotRepeatIt()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a/1", "a/2", "b"]);

        var first = await RunAsync(_operations.ListObjectsV2Async, $"/{bucket}?list-type=2&delimiter=/&max-keys=1");
        var token = first.Root!.Element(S3 + "NextContinuationToken")!.Value;
        var second = await RunAsync(_operations.ListObjectsV2Async, $"/{bucket}?list-type=2&delimiter=/&max-keys=1&continuation-token={Uri.EscapeDataString(token)}");

        Assert.Equal(["a/"], first.Root!.Elements(S3 + "CommonPrefixes").Select(p => p.Element(S3 + "Prefix")!.Value));
        Assert.Empty(second.Root!.Elements(S3 + "CommonPrefixes"));
        Assert.Equal(["b"], second.Root!.Elements(S3 + "Contents").Select(c => c.Element(S3 + "Key")!.Value));
        Assert.Equal("false", second.Root!.Element(S3 + "IsTruncated")!.Value);
    }

    private static List<string> VersionIds(XDocument page) =>
        page.Root!.Elements().Where(e => e.Name == S3 + "Version" || e.Name == S3 + "DeleteMarker").Select(e => e.Element(S3 + "VersionId")!.Value).ToList();

    private static async Task<XDocument> RunAsync(Func<S3Call, Task> operation, string target)
    {
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;
        var authentication = new SigV4Authentication("ZVTEST", "us-east-1", "20250601T120000Z", "20250601/us-east-1/s3/aws4_request", [], string.Empty, PayloadMode.Unsigned, null, Presigned: false);
        var key = new AccessKey("ZVTEST", Role.Reader, ["*"], TestVault.Now, null);
        await operation(new S3Call(http, RequestTarget.Parse(target, null, []), authentication, key, new Ztdr.Vault.Locking.TrustedInstant(TestVault.Now, true)));
        Assert.Equal(200, http.Response.StatusCode);
        body.Position = 0;
        return XDocument.Load(body);
    }
}
