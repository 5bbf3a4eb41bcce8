using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3.Model;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>
/// Every SigV4 payload mode a real client sends, produced by AWSSDK.S3 itself in its different configurations, with
/// the vault's request log proving which mode arrived.
/// </summary>
public sealed class PayloadModeTests : IClassFixture<VaultFixture>
{
    private readonly VaultFixture _fixture;

    public PayloadModeTests(VaultFixture fixture)
    {
        _fixture = fixture;
    }

    public static TheoryData<string, string> Modes => new()
    {
        { "default", "StreamingSignedTrailer" },
        { "unsigned-payload-trailer", "StreamingUnsignedTrailer" },
        { "signed-chunks-no-trailer", "StreamingSigned" },
        { "signed-whole-body", "SignedSha256" },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task PutObject_EachClientPayloadMode_IsVerifiedAndStored(string variant, string expectedMode)
    {
        using var s3 = _fixture.Vault.CreateClient(configure: config =>
        {
            if (variant == "signed-chunks-no-trailer")
            {
                config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            }
        });
        var data = RandomNumberGenerator.GetBytes(300_000);
        var key = "modes/" + variant;
        var request = new PutObjectRequest { BucketName = "backups", Key = key, InputStream = new MemoryStream(data) };
        switch (variant)
        {
            case "unsigned-payload-trailer":
                request.DisablePayloadSigning = true;
                break;
            case "signed-whole-body":
                request.UseChunkEncoding = false;
                break;
        }

        await s3.PutObjectAsync(request);
        using var get = await s3.GetObjectAsync("backups", key);
        Assert.Equal(data, await S3Assert.ReadAllAsync(get.ResponseStream));
        var putLine = _fixture.Vault.Log.Split('\n').Last(l => l.Contains("\"Method\":\"PUT\"", StringComparison.Ordinal) && l.Contains(key, StringComparison.Ordinal));
        Assert.Contains($"\"PayloadMode\":\"{expectedMode}\"", putLine, StringComparison.Ordinal);
    }
}
