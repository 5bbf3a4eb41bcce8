using Ztdr.S3.Errors;
using Ztdr.S3.Signing;

namespace Ztdr.S3.Tests.Signing;

/// <summary>Query-string (presigned URL) authentication: lifetime, parameters and tampering.</summary>
public sealed class PresignedUrlTests
{
    private const string Host = "vault.example";

    private static SignedRequest Presigned(
        string target = "/bucket/key",
        string method = "GET",
        int expiresSeconds = 3600,
        params KeyValuePair<string, string>[] signedHeaders)
    {
        var url = AwsExample.Signer().Presign(method, target, Host, TimeSpan.FromSeconds(expiresSeconds), signedHeaders);
        return new SignedRequest(method, url, [new("Host", Host), .. signedHeaders]);
    }

    private static SigV4Verifier VerifierAt(TimeSpan afterSigning) =>
        AwsExample.Verifier(new FixedTimeProvider(AwsExample.Time + afterSigning));

    private static S3Exception Rejected(ISignedRequest request, TimeSpan? afterSigning = null) =>
        Assert.Throws<S3Exception>(() => VerifierAt(afterSigning ?? TimeSpan.Zero).Verify(request));

    private static SignedRequest WithQuery(SignedRequest request, string from, string to) =>
        request.WithTarget(request.RawTarget.Replace(from, to, StringComparison.Ordinal));

    [Theory]
    [InlineData("/bucket/key")]
    [InlineData("/bucket/dir/my%20file%2B1.txt")]
    [InlineData("/bucket/%E2%82%AC//x")]
    [InlineData("/bucket/key?response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22")]
    [InlineData("/bucket/key?versionId=abc&partNumber=1")]
    public void Verify_SignerOutput_Accepts(string target)
    {
        var result = VerifierAt(TimeSpan.FromMinutes(30)).Verify(Presigned(target));

        Assert.True(result.Presigned);
        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
    }

    [Fact]
    public void Verify_PresignedPutWithSignedHeader_Accepts()
    {
        var request = Presigned(method: "PUT", signedHeaders: new KeyValuePair<string, string>("x-amz-object-lock-mode", "COMPLIANCE"));

        Assert.Equal(AwsExample.AccessKeyId, VerifierAt(TimeSpan.Zero).Verify(request).AccessKeyId);
        Assert.Equal(S3Errors.SignatureDoesNotMatch, Rejected(request.WithHeader("x-amz-object-lock-mode", "GOVERNANCE")).Error);
    }

    [Fact]
    public void Verify_UnsignedAmzHeaderOnPresignedRequest_IsAccessDenied()
    {
        var request = Presigned(method: "PUT").WithHeader("x-amz-bypass-governance-retention", "true");

        var rejection = Rejected(request);

        Assert.Equal(S3Errors.AccessDenied, rejection.Error);
        Assert.Equal("There were headers present in the request which were not signed", rejection.Message);
    }

    [Fact]
    public void Verify_AtExactExpiry_Accepts() =>
        Assert.True(VerifierAt(TimeSpan.FromSeconds(3600)).Verify(Presigned()).Presigned);

    [Fact]
    public void Verify_AfterExpiry_IsAccessDeniedRequestHasExpired()
    {
        var rejection = Rejected(Presigned(), TimeSpan.FromSeconds(3601));

        Assert.Equal(S3Errors.AccessDenied, rejection.Error);
        Assert.Equal("Request has expired", rejection.Message);
        Assert.Contains(rejection.Details, d => d.Key == "Expires" && d.Value == "2013-05-24T01:00:00Z");
        Assert.Contains(rejection.Details, d => d.Key == "ServerTime" && d.Value == "2013-05-24T01:00:01Z");
    }

    [Fact]
    public void Verify_SignedMoreThanFifteenMinutesInTheFuture_IsAccessDeniedNotValidYet()
    {
        var rejection = Rejected(Presigned(), TimeSpan.FromMinutes(-16));

        Assert.Equal(S3Errors.AccessDenied, rejection.Error);
        Assert.Equal("Request is not valid yet", rejection.Message);
    }

    [Fact]
    public void Verify_SignedSlightlyInTheFuture_Accepts() =>
        Assert.True(VerifierAt(TimeSpan.FromMinutes(-14)).Verify(Presigned()).Presigned);

    [Fact]
    public void Verify_SevenDayUrlOnItsLastDay_Accepts() =>
        Assert.True(VerifierAt(TimeSpan.FromDays(7)).Verify(Presigned(expiresSeconds: 604800)).Presigned);

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("604801")]
    [InlineData("1.5")]
    [InlineData("abc")]
    [InlineData("")]
    public void Verify_ExpiresOutOfRange_IsAuthorizationQueryParametersError(string expires)
    {
        var request = WithQuery(Presigned(), "X-Amz-Expires=3600", "X-Amz-Expires=" + expires);

        Assert.Equal(S3Errors.AuthorizationQueryParametersError, Rejected(request).Error);
    }

    [Theory]
    [InlineData("X-Amz-Credential")]
    [InlineData("X-Amz-Date")]
    [InlineData("X-Amz-Expires")]
    [InlineData("X-Amz-SignedHeaders")]
    [InlineData("X-Amz-Signature")]
    public void Verify_MissingParameter_IsAuthorizationQueryParametersError(string name)
    {
        var request = WithQuery(Presigned(), "&" + name + "=", "&Removed-" + name + "=");

        Assert.Equal(S3Errors.AuthorizationQueryParametersError, Rejected(request).Error);
    }

    [Fact]
    public void Verify_DuplicatedSignatureParameter_IsAuthorizationQueryParametersError()
    {
        var request = Presigned();

        Assert.Equal(S3Errors.AuthorizationQueryParametersError, Rejected(request.WithTarget(request.RawTarget + "&X-Amz-Signature=" + new string('0', 64))).Error);
    }

    [Theory]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA512", "AuthorizationQueryParametersError")]
    [InlineData("X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256", "NotImplemented")]
    [InlineData("X-Amz-Date=2013-05-24T00%3A00%3A00Z", "AuthorizationQueryParametersError")]
    [InlineData("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3", "AuthorizationQueryParametersError")]
    [InlineData("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130523%2Fus-east-1%2Fs3%2Faws4_request", "AuthorizationQueryParametersError")]
    [InlineData("X-Amz-Credential=AKIDUNKNOWN%2F20130524%2Fus-east-1%2Fs3%2Faws4_request", "InvalidAccessKeyId")]
    public void Verify_BadParameter_IsRejectedWithTheMatchingCode(string replacement, string expectedCode)
    {
        var request = Presigned();
        var name = replacement[..replacement.IndexOf('=', StringComparison.Ordinal)];
        var query = request.RawTarget[(request.RawTarget.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&');
        var target = "/bucket/key?" + string.Join('&', query.Select(p => p.StartsWith(name + "=", StringComparison.Ordinal) ? replacement : p));

        Assert.Equal(expectedCode, Rejected(request.WithTarget(target)).Error.Code);
    }

    [Fact]
    public void Verify_WrongRegion_IsAuthorizationQueryParametersError()
    {
        var verifier = new SigV4Verifier(AwsExample.Secrets, new FixedTimeProvider(AwsExample.Time), ["eu-central-1"]);
        var url = AwsExample.Signer(region: "eu-west-1").Presign("GET", "/bucket/key", Host, TimeSpan.FromHours(1));

        var rejection = Assert.Throws<S3Exception>(() => verifier.Verify(new SignedRequest("GET", url, [new("Host", Host)])));

        Assert.Equal(S3Errors.AuthorizationQueryParametersError, rejection.Error);
    }

    [Theory]
    [InlineData("other-host")]
    [InlineData("method")]
    [InlineData("extra-parameter")]
    [InlineData("changed-parameter")]
    [InlineData("longer-expiry")]
    public void Verify_TamperedUrl_IsSignatureDoesNotMatch(string what)
    {
        var request = Presigned("/bucket/key?versionId=1");
        var tampered = what switch
        {
            "other-host" => request.WithHeader("Host", "attacker.example"),
            "method" => new SignedRequest("PUT", request.RawTarget, request.Headers),
            "extra-parameter" => request.WithTarget(request.RawTarget + "&partNumber=2"),
            "changed-parameter" => WithQuery(request, "versionId=1", "versionId=2"),
            _ => WithQuery(request, "X-Amz-Expires=3600", "X-Amz-Expires=7200"),
        };

        Assert.Equal(S3Errors.SignatureDoesNotMatch, Rejected(tampered).Error);
    }

    [Fact]
    public void Verify_ContentSha256Parameter_SignsThePayloadHash()
    {
        var hash = SigV4.Sha256Hex("hello");
        var signed = AwsExample.Signer().Presign("PUT", "/bucket/key?X-Amz-Content-Sha256=" + hash, Host, TimeSpan.FromHours(1));
        var request = new SignedRequest("PUT", signed, [new("Host", Host)]);

        var result = VerifierAt(TimeSpan.Zero).Verify(request);

        Assert.Equal(PayloadMode.SignedSha256, result.PayloadMode);
        Assert.Equal(hash, result.PayloadSha256Hex);
    }

    [Fact]
    public void Verify_StreamingPayloadOnPresignedUrl_IsInvalidRequest()
    {
        var signed = AwsExample.Signer().Presign("PUT", "/bucket/key?X-Amz-Content-Sha256=" + SigV4.StreamingSignedPayload, Host, TimeSpan.FromHours(1));

        Assert.Equal(S3Errors.InvalidRequest, Rejected(new SignedRequest("PUT", signed, [new("Host", Host)])).Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(604801)]
    public void Presign_LifetimeOutsideOneSecondToSevenDays_Throws(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AwsExample.Signer().Presign("GET", "/b/k", Host, TimeSpan.FromSeconds(seconds)));
}
