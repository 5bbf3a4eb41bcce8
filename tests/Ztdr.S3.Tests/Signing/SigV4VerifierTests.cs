using Ztdr.S3.Errors;
using Ztdr.S3.Signing;

namespace Ztdr.S3.Tests.Signing;

/// <summary>Header authentication: what is accepted, and every way a request is turned away.</summary>
public sealed class SigV4VerifierTests
{
    private const string Host = "vault.example:9000";

    private static SignedRequest Signed(
        string target = "/bucket/key",
        string method = "GET",
        TimeProvider? clock = null,
        string region = AwsExample.Region,
        string payloadHash = SigV4.EmptyPayloadSha256,
        params KeyValuePair<string, string>[] extraHeaders) =>
        AwsExample.Signer(clock, region).SignHeaders(method, target, [new("Host", Host), .. extraHeaders], payloadHash);

    private static S3Exception Rejected(ISignedRequest request, SigV4Verifier? verifier = null) =>
        Assert.Throws<S3Exception>(() => (verifier ?? AwsExample.Verifier()).Verify(request));

    private static string? Detail(S3Exception exception, string element) =>
        exception.Details.Where(d => d.Key == element).Select(d => d.Value).FirstOrDefault();

    private static string AuthorizationOf(SignedRequest request) =>
        request.TryGetHeader("authorization", out var value) ? value : throw new InvalidOperationException("not signed");

    [Theory]
    [InlineData("/bucket/my%20key%20with%20spaces")]
    [InlineData("/bucket/%D0%BA%D0%BB%D1%8E%D1%87/%E2%82%AC")]
    [InlineData("/bucket/a%2Bb+c")]
    [InlineData("/bucket//double//slash/")]
    [InlineData("/bucket/../dot/./segments/..")]
    [InlineData("/bucket/a%2Fb")]
    [InlineData("/bucket?list-type=2&prefix=a%2Fb+c&delimiter=%2F&continuation-token=x%3D%3D")]
    [InlineData("/bucket/key?uploads")]
    [InlineData("/bucket/key?versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY&x-id=GetObject")]
    public void Verify_SignerOutputForUnusualKeys_Accepts(string target) =>
        Assert.Equal(AwsExample.AccessKeyId, AwsExample.Verifier().Verify(Signed(target)).AccessKeyId);

    [Fact]
    public void Verify_ClientSignedRawPathInsteadOfDecodedForm_AcceptsThroughFallback()
    {
        // A client that put "/bucket/a%2Fb" into its canonical request verbatim (S3's form is "/bucket/a/b").
        const string rawPath = "/bucket/a%2Fb";
        var headers = new List<KeyValuePair<string, string>>
        {
            new("host", Host), new("x-amz-content-sha256", SigV4.EmptyPayloadSha256), new("x-amz-date", AwsExample.AmzDate),
        };
        var canonical = SigV4.CanonicalRequest("GET", rawPath, "", headers, SigV4.EmptyPayloadSha256);
        var signature = SigV4.Sign(SigV4.DeriveSigningKey(AwsExample.SecretAccessKey, "20130524", AwsExample.Region),
            SigV4.StringToSign(AwsExample.AmzDate, AwsExample.Scope, canonical));
        var request = new SignedRequest("GET", rawPath,
            [.. headers, new("Authorization", AwsExample.Authorization("host;x-amz-content-sha256;x-amz-date", signature))]);

        Assert.Equal(AwsExample.AccessKeyId, AwsExample.Verifier().Verify(request).AccessKeyId);
        Assert.Equal(S3Errors.SignatureDoesNotMatch, Rejected(request.WithTarget("/bucket/a%2Fc")).Error);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential={0},SignedHeaders={1},Signature={2}")]
    [InlineData("AWS4-HMAC-SHA256 Credential={0}, SignedHeaders={1}, Signature={2}")]
    [InlineData("  AWS4-HMAC-SHA256   Credential={0} ,  SignedHeaders={1},Signature={2}  ")]
    [InlineData("AWS4-HMAC-SHA256 Signature={2}, Credential={0}, SignedHeaders={1}")]
    public void Verify_AuthorizationSpacingAndOrder_IsTolerated(string format)
    {
        var request = Signed();
        var parts = AuthorizationOf(request).Split(", ");
        var authorization = string.Format(System.Globalization.CultureInfo.InvariantCulture, format,
            parts[0]["AWS4-HMAC-SHA256 Credential=".Length..], parts[1]["SignedHeaders=".Length..], parts[2]["Signature=".Length..]);

        Assert.Equal(AwsExample.AccessKeyId, AwsExample.Verifier().Verify(request.WithHeader("Authorization", authorization)).AccessKeyId);
    }

    [Fact]
    public void Verify_NoAuthentication_IsAccessDenied() =>
        Assert.Equal(S3Errors.AccessDenied, Rejected(new SignedRequest("GET", "/bucket/key", [new("Host", Host)])).Error);

    [Fact]
    public void Verify_HeaderAndQueryAuthenticationTogether_IsInvalidArgument()
    {
        var request = Signed().WithTarget("/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256");

        Assert.Equal(S3Errors.InvalidArgument, Rejected(request).Error);
    }

    [Fact]
    public void Verify_SignatureVersion2Header_IsInvalidRequest() =>
        Assert.Equal(S3Errors.InvalidRequest, Rejected(Signed().WithHeader("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=")).Error);

    [Fact]
    public void Verify_SignatureVersion2Query_IsInvalidRequest()
    {
        var request = new SignedRequest("GET", "/bucket/key?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1141889120&Signature=vjbyPxybd", [new("Host", Host)]);

        Assert.Equal(S3Errors.InvalidRequest, Rejected(request).Error);
    }

    [Fact]
    public void Verify_SigV4aAuthorization_IsNotImplemented()
    {
        var request = Signed().WithHeader("Authorization",
            "AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/s3/aws4_request, SignedHeaders=host, Signature=3045");

        Assert.Equal(S3Errors.NotImplemented, Rejected(request).Error);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3, SignedHeaders=host, Signature=" + SigV4.EmptyPayloadSha256)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/2013-05-24/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + SigV4.EmptyPayloadSha256)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=xyz")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;;date, Signature=" + SigV4.EmptyPayloadSha256)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + SigV4.EmptyPayloadSha256 + ", Extra=1")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, Credential=x, SignedHeaders=host, Signature=" + SigV4.EmptyPayloadSha256)]
    [InlineData("AWS4-HMAC-SHA256")]
    [InlineData("AWS4-HMAC-SHA512 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + SigV4.EmptyPayloadSha256)]
    [InlineData("AWS4-HMAC-SHA256Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request")]
    public void Verify_MalformedAuthorization_IsAuthorizationHeaderMalformed(string authorization) =>
        Assert.Equal(S3Errors.AuthorizationHeaderMalformed, Rejected(Signed().WithHeader("Authorization", authorization)).Error);

    [Fact]
    public void Verify_MissingContentSha256_IsInvalidRequestNamingTheHeader()
    {
        var rejection = Rejected(Signed().WithHeader("x-amz-content-sha256", null));

        Assert.Equal(S3Errors.InvalidRequest, rejection.Error);
        Assert.Equal("Missing required header for this request: x-amz-content-sha256", rejection.Message);
    }

    [Theory]
    [InlineData("not-a-hash")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("STREAMING-AWS4-HMAC-SHA256-EVENTS")]
    public void Verify_UnknownContentSha256_IsInvalidArgument(string value) =>
        Assert.Equal(S3Errors.InvalidArgument, Rejected(Signed().WithHeader("x-amz-content-sha256", value)).Error);

    [Theory]
    [InlineData("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")]
    [InlineData("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER")]
    public void Verify_SigV4aStreamingPayload_IsNotImplemented(string value) =>
        Assert.Equal(S3Errors.NotImplemented, Rejected(Signed(payloadHash: value)).Error);

    [Theory]
    [InlineData(SigV4.EmptyPayloadSha256, PayloadMode.SignedSha256)]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", PayloadMode.SignedSha256)]
    [InlineData(SigV4.UnsignedPayload, PayloadMode.Unsigned)]
    [InlineData(SigV4.StreamingSignedPayload, PayloadMode.StreamingSigned)]
    [InlineData(SigV4.StreamingSignedPayloadTrailer, PayloadMode.StreamingSignedTrailer)]
    [InlineData(SigV4.StreamingUnsignedPayloadTrailer, PayloadMode.StreamingUnsignedTrailer)]
    public void Verify_ContentSha256_SelectsPayloadMode(string value, PayloadMode expected)
    {
        var result = AwsExample.Verifier().Verify(Signed(method: "PUT", payloadHash: value));

        Assert.Equal(expected, result.PayloadMode);
        Assert.Equal(expected == PayloadMode.SignedSha256 ? SigV4.EmptyPayloadSha256 : null, result.PayloadSha256Hex);
    }

    [Fact]
    public void Verify_NoDateHeaders_IsAccessDenied()
    {
        var request = Signed().WithHeader("x-amz-date", null);

        Assert.Equal(S3Errors.AccessDenied, Rejected(request).Error);
    }

    [Fact]
    public void Verify_OnlyDateHeader_SignsItsIsoForm()
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("date", "Fri, 24 May 2013 00:00:00 GMT"), new("host", Host), new("x-amz-content-sha256", SigV4.UnsignedPayload),
        };
        var canonical = SigV4.CanonicalRequest("GET", "/bucket/key", "", headers, SigV4.UnsignedPayload);
        var signature = SigV4.Sign(SigV4.DeriveSigningKey(AwsExample.SecretAccessKey, "20130524", AwsExample.Region),
            SigV4.StringToSign(AwsExample.AmzDate, AwsExample.Scope, canonical));
        var request = new SignedRequest("GET", "/bucket/key",
            [.. headers, new("authorization", AwsExample.Authorization("date;host;x-amz-content-sha256", signature))]);

        var result = AwsExample.Verifier().Verify(request);

        Assert.Equal(AwsExample.AmzDate, result.AmzDate);
        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
    }

    [Fact]
    public void Verify_CredentialDateDiffersFromAmzDate_IsAuthorizationHeaderMalformed()
    {
        var request = Signed();
        var authorization = AuthorizationOf(request).Replace("/20130524/", "/20130523/", StringComparison.Ordinal);

        Assert.Equal(S3Errors.AuthorizationHeaderMalformed, Rejected(request.WithHeader("Authorization", authorization)).Error);
    }

    [Fact]
    public void Verify_ServiceOtherThanS3_IsAuthorizationHeaderMalformed()
    {
        var request = Signed();
        var authorization = AuthorizationOf(request).Replace("/s3/", "/iam/", StringComparison.Ordinal);

        Assert.Equal(S3Errors.AuthorizationHeaderMalformed, Rejected(request.WithHeader("Authorization", authorization)).Error);
    }

    [Fact]
    public void Verify_RegionNotAccepted_IsAuthorizationHeaderMalformedNamingTheRegion()
    {
        var rejection = Rejected(Signed(region: "eu-west-1"), AwsExample.Verifier(null, "eu-central-1"));

        Assert.Equal(S3Errors.AuthorizationHeaderMalformed, rejection.Error);
        Assert.Equal("eu-central-1", Detail(rejection, "Region"));
        Assert.Contains("eu-west-1", rejection.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eu-central-1")]
    [InlineData("us-east-1")]
    public void Verify_ConfiguredRegionOrUsEast1_Accepts(string region) =>
        Assert.Equal(region, AwsExample.Verifier(null, "eu-central-1").Verify(Signed(region: region)).Region);

    [Fact]
    public void Verify_NoRegionsConfigured_AcceptsAnyRegion() =>
        Assert.Equal("ap-south-2", AwsExample.Verifier().Verify(Signed(region: "ap-south-2")).Region);

    [Theory]
    [InlineData(16)]
    [InlineData(-16)]
    [InlineData(24 * 60)]
    public void Verify_ClockSkewBeyondFifteenMinutes_IsRequestTimeTooSkewedWithBothTimes(int serverMinutesAhead)
    {
        var serverClock = new FixedTimeProvider(AwsExample.Time.AddMinutes(serverMinutesAhead));

        var rejection = Rejected(Signed(), AwsExample.Verifier(serverClock));

        Assert.Equal(S3Errors.RequestTimeTooSkewed, rejection.Error);
        Assert.Equal(AwsExample.AmzDate, Detail(rejection, "RequestTime"));
        Assert.Equal(serverClock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            Detail(rejection, "ServerTime"));
    }

    [Theory]
    [InlineData(14)]
    [InlineData(-14)]
    [InlineData(15)]
    public void Verify_ClockSkewWithinFifteenMinutes_Accepts(int serverMinutesAhead)
    {
        var serverClock = new FixedTimeProvider(AwsExample.Time.AddMinutes(serverMinutesAhead));

        Assert.Equal(AwsExample.AccessKeyId, AwsExample.Verifier(serverClock).Verify(Signed()).AccessKeyId);
    }

    [Fact]
    public void Verify_CustomMaxSkew_IsHonoured()
    {
        var verifier = new SigV4Verifier(AwsExample.Secrets, new FixedTimeProvider(AwsExample.Time.AddMinutes(2)), [], TimeSpan.FromMinutes(1));

        Assert.Equal(S3Errors.RequestTimeTooSkewed, Rejected(Signed(), verifier).Error);
    }

    [Theory]
    [InlineData("x-amz-object-lock-mode", "COMPLIANCE")]
    [InlineData("x-amz-object-lock-retain-until-date", "2099-01-01T00:00:00Z")]
    [InlineData("x-amz-object-lock-legal-hold", "ON")]
    [InlineData("x-amz-bypass-governance-retention", "true")]
    [InlineData("x-amz-copy-source", "/other/secret")]
    [InlineData("X-Amz-Decoded-Content-Length", "1")]
    public void Verify_UnsignedAmzHeaderAddedAfterSigning_IsAccessDeniedNamingIt(string header, string value)
    {
        var rejection = Rejected(Signed(method: "PUT").WithHeader(header, value));

        Assert.Equal(S3Errors.AccessDenied, rejection.Error);
        Assert.Equal("There were headers present in the request which were not signed", rejection.Message);
        Assert.Equal(header.ToLowerInvariant(), Detail(rejection, "HeadersNotSigned"));
    }

    [Fact]
    public void Verify_SignedAmzHeaders_Accepts()
    {
        var request = Signed(method: "PUT", extraHeaders: [new("x-amz-object-lock-mode", "GOVERNANCE"), new("x-amz-meta-owner", "ops")]);

        Assert.Equal(AwsExample.AccessKeyId, AwsExample.Verifier().Verify(request).AccessKeyId);
    }

    [Fact]
    public void Verify_UnsignedOrdinaryHeader_IsAllowed()
    {
        // Only x-amz-* must be signed; User-Agent and friends are rewritten by proxies and never signed.
        var request = Signed().WithHeader("User-Agent", "aws-cli/2").WithHeader("Accept-Encoding", "identity");

        Assert.Equal(AwsExample.AccessKeyId, AwsExample.Verifier().Verify(request).AccessKeyId);
    }

    [Fact]
    public void Verify_HostNotSigned_IsAccessDenied()
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("x-amz-content-sha256", SigV4.EmptyPayloadSha256), new("x-amz-date", AwsExample.AmzDate),
        };
        var canonical = SigV4.CanonicalRequest("GET", "/bucket/key", "", headers, SigV4.EmptyPayloadSha256);
        var signature = SigV4.Sign(SigV4.DeriveSigningKey(AwsExample.SecretAccessKey, "20130524", AwsExample.Region),
            SigV4.StringToSign(AwsExample.AmzDate, AwsExample.Scope, canonical));
        var request = new SignedRequest("GET", "/bucket/key",
            [.. headers, new("host", Host), new("authorization", AwsExample.Authorization("x-amz-content-sha256;x-amz-date", signature))]);

        var rejection = Rejected(request);

        Assert.Equal(S3Errors.AccessDenied, rejection.Error);
        Assert.Equal("host", Detail(rejection, "HeadersNotSigned"));
    }

    [Fact]
    public void Verify_SignedHeaderMissingFromRequest_IsSignatureDoesNotMatch()
    {
        var request = Signed(extraHeaders: new KeyValuePair<string, string>("Range", "bytes=0-9")).WithHeader("Range", null);

        Assert.Equal(S3Errors.SignatureDoesNotMatch, Rejected(request).Error);
    }

    [Fact]
    public void Verify_UnknownAccessKey_IsInvalidAccessKeyId()
    {
        var request = new SigV4Signer("AKIDUNKNOWN", "whatever", AwsExample.Region, new FixedTimeProvider(AwsExample.Time))
            .SignHeaders("GET", "/bucket/key", [new("Host", Host)], SigV4.EmptyPayloadSha256);

        var rejection = Rejected(request);

        Assert.Equal(S3Errors.InvalidAccessKeyId, rejection.Error);
        Assert.Equal("AKIDUNKNOWN", Detail(rejection, "AWSAccessKeyId"));
    }

    [Fact]
    public void Verify_WrongSecret_IsSignatureDoesNotMatchWithDiagnosticsButNoSecret()
    {
        var request = new SigV4Signer(AwsExample.AccessKeyId, "not-the-secret", AwsExample.Region, new FixedTimeProvider(AwsExample.Time))
            .SignHeaders("GET", "/bucket/key", [new("Host", Host)], SigV4.EmptyPayloadSha256);

        var rejection = Rejected(request);

        Assert.Equal(S3Errors.SignatureDoesNotMatch, rejection.Error);
        Assert.StartsWith("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n", Detail(rejection, "StringToSign"), StringComparison.Ordinal);
        Assert.StartsWith("GET\n/bucket/key\n\nhost:vault.example:9000\n", Detail(rejection, "CanonicalRequest"), StringComparison.Ordinal);
        Assert.DoesNotContain(rejection.Details, d => d.Value.Contains(AwsExample.SecretAccessKey, StringComparison.Ordinal));
        Assert.DoesNotContain(AwsExample.SecretAccessKey, rejection.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("target")]
    [InlineData("query")]
    [InlineData("method")]
    [InlineData("signed-header")]
    [InlineData("payload-hash")]
    [InlineData("signature")]
    public void Verify_TamperedRequest_IsSignatureDoesNotMatch(string what)
    {
        var request = Signed("/bucket/key?versionId=1", extraHeaders: new KeyValuePair<string, string>("x-amz-meta-a", "1"));
        var tampered = what switch
        {
            "target" => request.WithTarget("/bucket/other?versionId=1"),
            "query" => request.WithTarget("/bucket/key?versionId=2"),
            "method" => new SignedRequest("DELETE", request.RawTarget, request.Headers),
            "signed-header" => request.WithHeader("x-amz-meta-a", "2"),
            "payload-hash" => request.WithHeader("x-amz-content-sha256", SigV4.UnsignedPayload),
            _ => request.WithHeader("Authorization", AuthorizationOf(request)[..^4] + "0000"),
        };

        Assert.Equal(S3Errors.SignatureDoesNotMatch, Rejected(tampered).Error);
    }

    [Fact]
    public void Verify_UpperCaseSignatureHex_Accepts()
    {
        var request = Signed();
        var authorization = AuthorizationOf(request);
        var split = authorization.LastIndexOf('=') + 1;

        var result = AwsExample.Verifier().Verify(request.WithHeader("Authorization", authorization[..split] + authorization[split..].ToUpperInvariant()));

        Assert.Equal(authorization[split..], result.Signature);
    }

    [Fact]
    public void Verify_AbsoluteFormTarget_SignsPathAndQueryOnly()
    {
        var request = Signed("/bucket/key?acl");

        Assert.Equal(AwsExample.AccessKeyId, AwsExample.Verifier().Verify(request.WithTarget("http://vault.example:9000/bucket/key?acl")).AccessKeyId);
    }
}
