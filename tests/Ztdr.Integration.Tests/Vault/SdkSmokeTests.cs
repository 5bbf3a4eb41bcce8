using System.Security.Cryptography;
using Amazon.S3.Model;

namespace Ztdr.Integration.Tests.Vault;

public sealed class SdkSmokeTests : IClassFixture<VaultFixture>
{
    private readonly VaultFixture _fixture;

    public SdkSmokeTests(VaultFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task PutObject_ThenGetObject_ReturnsSameBytes()
    {
        var data = RandomNumberGenerator.GetBytes(300_000);
        await _fixture.Client.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "smoke/a.bin", InputStream = new MemoryStream(data) });
        using var response = await _fixture.Client.GetObjectAsync("backups", "smoke/a.bin");
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }
}
