using System.Text;
using Ztdr.S3.Signing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>Every request is authenticated; these are the ways an attacker without a valid signature tries anyway.</summary>
public sealed class AuthenticationTests : IClassFixture<VaultFixture>, IDisposable
{
    private readonly VaultFixture _fixture;
    private readonly RawS3 _raw;

    public AuthenticationTests(VaultFixture fixture)
    {
        _fixture = fixture;
        _raw = new RawS3(fixture.Vault);
    }

    public void Dispose() => _raw.Dispose();

    [Fact]
    public async Task Anonymous_GetAndPut_AreAccessDenied()
    {
        var list = await _raw.SendRawAsync("GET", "/backups", null, []);
        Assert.Equal(403, list.Status);
        Assert.Equal("AccessDenied", list.ErrorCode);

        var put = await _raw.SendRawAsync("PUT", "/backups/anon.txt", Encoding.UTF8.GetBytes("x"), []);
        Assert.Equal(403, put.Status);
        var check = await _raw.SendAsync("GET", "/backups/anon.txt");
        Assert.Equal(404, check.Status);
    }

    [Fact]
    public async Task WrongSecret_IsSignatureDoesNotMatchAndNeverEchoesTheSecret()
    {
        var response = await _raw.SendAsync("GET", "/backups?list-type=2", signer: _raw.Signer(secretOverride: "wrong-secret-wrong-secret-wrong-secret00"));
        Assert.Equal(403, response.Status);
        Assert.Equal("SignatureDoesNotMatch", response.ErrorCode);
        Assert.Contains("<StringToSign>", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(_fixture.Vault.Credentials().Secret, response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownAccessKey_IsInvalidAccessKeyId()
    {
        var signer = new SigV4Signer("ZVNOSUCHKEY000000000", "secretsecretsecretsecretsecretsecret0000", "us-east-1", TimeProvider.System);
        var response = await _raw.SendAsync("GET", "/", signer: signer);
        Assert.Equal(403, response.Status);
        Assert.Equal("InvalidAccessKeyId", response.ErrorCode);
    }

    [Fact]
    public async Task ClockSkewedBeyond15Minutes_IsRequestTimeTooSkewed()
    {
        var skewed = _raw.Signer(time: new ShiftedTime(TimeSpan.FromMinutes(20)));
        var response = await _raw.SendAsync("GET", "/", signer: skewed);
        Assert.Equal(403, response.Status);
        Assert.Equal("RequestTimeTooSkewed", response.ErrorCode);
        Assert.Contains("<ServerTime>", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsignedAmzHeader_IsRefusedAndNothingWritten()
    {
        var response = await _raw.SendAsync("PUT", "/backups/unsigned-meta.txt", Encoding.UTF8.GetBytes("x"), unsignedHeaders: [new("x-amz-meta-injected", "evil")]);
        Assert.Equal(403, response.Status);
        Assert.Equal("AccessDenied", response.ErrorCode);
        Assert.Equal(404, (await _raw.SendAsync("HEAD", "/backups/unsigned-meta.txt")).Status);
    }

    [Fact]
    public async Task TamperedBody_IsXAmzContentSha256MismatchAndNothingWritten()
    {
        var signer = _raw.Signer();
        var good = Encoding.UTF8.GetBytes("the signed body");
        var signed = signer.SignHeaders("PUT", "/backups/tampered.txt", [new("host", _raw.HostHeader)], Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(good)));
        var response = await _raw.SendRawAsync("PUT", "/backups/tampered.txt", Encoding.UTF8.GetBytes("a tampered body"), signed.Headers);
        Assert.Equal(400, response.Status);
        Assert.Equal("XAmzContentSHA256Mismatch", response.ErrorCode);
        Assert.Equal(404, (await _raw.SendAsync("HEAD", "/backups/tampered.txt")).Status);
    }

    [Fact]
    public async Task PresignedUrl_WorksUntilItExpires()
    {
        await _raw.SendAsync("PUT", "/backups/presigned.txt", Encoding.UTF8.GetBytes("shared"));
        var url = _raw.Signer().Presign("GET", "/backups/presigned.txt", _raw.HostHeader, TimeSpan.FromMinutes(5));
        var ok = await _raw.GetUrlAsync(url);
        Assert.Equal(200, ok.Status);
        Assert.Equal("shared", ok.Text);

        var old = _raw.Signer(time: new ShiftedTime(TimeSpan.FromMinutes(-10))).Presign("GET", "/backups/presigned.txt", _raw.HostHeader, TimeSpan.FromMinutes(1));
        var expired = await _raw.GetUrlAsync(old);
        Assert.Equal(403, expired.Status);
        Assert.Equal("AccessDenied", expired.ErrorCode);
        Assert.Contains("expired", expired.Text, StringComparison.OrdinalIgnoreCase);

        var tampered = await _raw.GetUrlAsync(url.Replace("presigned.txt", "other.txt", StringComparison.Ordinal));
        Assert.Equal(403, tampered.Status);
        Assert.Equal("SignatureDoesNotMatch", tampered.ErrorCode);
    }

    private sealed class ShiftedTime : TimeProvider
    {
        private readonly TimeSpan _shift;

        public ShiftedTime(TimeSpan shift)
        {
            _shift = shift;
        }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _shift;
    }
}
