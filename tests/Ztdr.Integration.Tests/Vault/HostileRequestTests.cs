using System.Text;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>Malformed requests get S3's XML error, change nothing and never leak a stack trace.</summary>
public sealed class HostileRequestTests : IClassFixture<VaultFixture>, IDisposable
{
    private readonly VaultFixture _fixture;
    private readonly RawS3 _raw;

    public HostileRequestTests(VaultFixture fixture)
    {
        _fixture = fixture;
        _raw = new RawS3(fixture.Vault);
    }

    public void Dispose() => _raw.Dispose();

    public static TheoryData<string> MalformedDeleteBodies => new()
    {
        "not xml at all",
        "<Delete><Object><Key>a</Key></Object>",
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><Delete><Object><Key>&lol2;</Key></Object></Delete>",
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Delete><Object><Key>&xxe;</Key></Object></Delete>",
        "<Delete></Delete>",
        "<Wrong><Object><Key>a</Key></Object></Wrong>",
    };

    [Theory]
    [MemberData(nameof(MalformedDeleteBodies))]
    public async Task DeleteObjects_MalformedBody_IsMalformedXmlAndDeletesNothing(string body)
    {
        await _raw.SendAsync("PUT", "/backups/hostile/keep.txt", Encoding.UTF8.GetBytes("keep"));
        var bytes = Encoding.UTF8.GetBytes(body);
        var md5 = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(bytes));
        var response = await _raw.SendAsync("POST", "/backups?delete", bytes, [new("content-md5", md5)]);
        Assert.Equal(400, response.Status);
        Assert.Equal("MalformedXML", response.ErrorCode);
        AssertNoStackTrace(response);
        Assert.Equal(200, (await _raw.SendAsync("GET", "/backups/hostile/keep.txt")).Status);
    }

    [Fact]
    public async Task DeleteObjects_WithoutIntegrityHeader_IsRefused()
    {
        var body = Encoding.UTF8.GetBytes("<Delete><Object><Key>a</Key></Object></Delete>");
        var response = await _raw.SendAsync("POST", "/backups?delete", body);
        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidRequest", response.ErrorCode);
    }

    [Fact]
    public async Task CompleteMultipartUpload_PartsOutOfOrder_IsInvalidPartOrder()
    {
        var init = await _raw.SendAsync("POST", "/backups/hostile/mpu.bin?uploads");
        var uploadId = System.Xml.Linq.XDocument.Parse(init.Text).Root!.Elements().First(e => e.Name.LocalName == "UploadId").Value;
        var body = Encoding.UTF8.GetBytes("<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>\"a\"</ETag></Part><Part><PartNumber>1</PartNumber><ETag>\"b\"</ETag></Part></CompleteMultipartUpload>");
        var response = await _raw.SendAsync("POST", $"/backups/hostile/mpu.bin?uploadId={uploadId}", body);
        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidPartOrder", response.ErrorCode);
    }

    [Theory]
    [InlineData("/backups/hostile%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/backups/../../etc/passwd")]
    [InlineData("/..%2F..%2Fetc/passwd")]
    public async Task PathTraversalTargets_GetS3ErrorsAndNeverTouchFilesOutside(string target)
    {
        var put = await _raw.SendAsync("PUT", target, Encoding.UTF8.GetBytes("x"));
        Assert.InRange(put.Status, 400, 404);
        Assert.NotNull(put.ErrorCode);
        var get = await _raw.SendAsync("GET", target);
        Assert.InRange(get.Status, 400, 404);
        Assert.DoesNotContain("root:", get.Text, StringComparison.Ordinal);
        AssertNoStackTrace(get);
    }

    [Fact]
    public async Task InvalidUtf8InKey_IsInvalidArgument()
    {
        var response = await _raw.SendAsync("PUT", "/backups/bad%FF%FEkey", Encoding.UTF8.GetBytes("x"));
        Assert.Equal(400, response.Status);
        AssertNoStackTrace(response);
    }

    [Fact]
    public async Task TruncatedAwsChunkedBody_IsRejectedAndNothingWritten()
    {
        var signer = _raw.Signer();
        var signed = signer.SignHeaders("PUT", "/backups/hostile/chunked.bin", [new("host", _raw.HostHeader), new("x-amz-decoded-content-length", "10")], "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        var body = Encoding.ASCII.GetBytes("a\r\n01234");
        var response = await _raw.SendRawAsync("PUT", "/backups/hostile/chunked.bin", body, signed.Headers);
        Assert.Equal(400, response.Status);
        Assert.Equal(404, (await _raw.SendAsync("HEAD", "/backups/hostile/chunked.bin")).Status);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_fixture.Vault.DataDirectory, "tmp")));
    }

    [Fact]
    public async Task UnknownMethodOnBucket_IsMethodNotAllowed()
    {
        var response = await _raw.SendAsync("PATCH", "/backups");
        Assert.Equal(405, response.Status);
        Assert.Equal("MethodNotAllowed", response.ErrorCode);
    }

    private static void AssertNoStackTrace(RawResponse response)
    {
        Assert.DoesNotContain("   at ", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", response.Text, StringComparison.Ordinal);
    }
}
