using Ztdr.S3.Signing;

namespace Ztdr.S3.Tests.Signing;

/// <summary>
/// The worked examples of the Amazon S3 SigV4 documentation (sig-v4-header-based-auth,
/// sigv4-query-string-auth, sigv4-streaming), reproduced exactly: canonical request, its hash,
/// the signature, acceptance by the verifier and reproduction by the signer.
/// </summary>
public sealed class AwsDocumentationExampleTests
{
    private const string Empty = SigV4.EmptyPayloadSha256;

    [Fact]
    public void CanonicalRequest_GetObjectWithRange_MatchesDocumentation()
    {
        var canonical = SigV4.CanonicalRequest("GET", SigV4.CanonicalUri("/test.txt"), SigV4.CanonicalQuery(""),
            [new("Host", AwsExample.Host), new("Range", "bytes=0-9"), new("x-amz-content-sha256", Empty), new("x-amz-date", AwsExample.AmzDate)],
            Empty);

        Assert.Equal(
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
            $"x-amz-content-sha256:{Empty}\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n{Empty}",
            canonical);
        var stringToSign = SigV4.StringToSign(AwsExample.AmzDate, AwsExample.Scope, canonical);
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
            stringToSign);
        var key = SigV4.DeriveSigningKey(AwsExample.SecretAccessKey, "20130524", AwsExample.Region);
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", SigV4.Sign(key, stringToSign));
    }

    [Fact]
    public void Verify_GetObjectWithRange_Accepts()
    {
        var request = new SignedRequest("GET", "/test.txt",
        [
            new("Host", AwsExample.Host),
            new("Range", "bytes=0-9"),
            new("x-amz-content-sha256", Empty),
            new("x-amz-date", AwsExample.AmzDate),
            new("Authorization", AwsExample.Authorization("host;range;x-amz-content-sha256;x-amz-date",
                "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")),
        ]);

        var result = AwsExample.Verifier().Verify(request);

        Assert.Equal(AwsExample.AccessKeyId, result.AccessKeyId);
        Assert.Equal(AwsExample.Region, result.Region);
        Assert.Equal(AwsExample.AmzDate, result.AmzDate);
        Assert.Equal(AwsExample.Scope, result.Scope);
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", result.Signature);
        Assert.Equal(PayloadMode.SignedSha256, result.PayloadMode);
        Assert.Equal(Empty, result.PayloadSha256Hex);
        Assert.False(result.Presigned);
        Assert.Equal(SigV4.DeriveSigningKey(AwsExample.SecretAccessKey, "20130524", AwsExample.Region), result.SigningKey);
    }

    [Fact]
    public void SignHeaders_GetObjectWithRange_ReproducesDocumentedAuthorization()
    {
        var signed = AwsExample.Signer().SignHeaders("GET", "/test.txt",
            [new("Host", AwsExample.Host), new("Range", "bytes=0-9")], Empty);

        Assert.True(signed.TryGetHeader("authorization", out var authorization));
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            authorization);
    }

    [Fact]
    public void CanonicalRequest_PutObject_EncodesDollarAndMatchesDocumentation()
    {
        const string bodyHash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
        Assert.Equal(bodyHash, SigV4.Sha256Hex("Welcome to Amazon S3."));

        var canonical = SigV4.CanonicalRequest("PUT", SigV4.CanonicalUri("/test$file.text"), "",
            [new("Date", "Fri, 24 May 2013 00:00:00 GMT"), new("Host", AwsExample.Host), new("x-amz-content-sha256", bodyHash),
             new("x-amz-date", AwsExample.AmzDate), new("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            bodyHash);

        Assert.Equal(
            "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n" +
            $"x-amz-content-sha256:{bodyHash}\nx-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n" +
            $"date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n{bodyHash}",
            canonical);
        Assert.EndsWith("9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
            SigV4.StringToSign(AwsExample.AmzDate, AwsExample.Scope, canonical), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/test%24file.text")]
    [InlineData("/test$file.text")]
    public void Verify_PutObject_AcceptsEncodedAndBareDollar(string rawTarget)
    {
        const string bodyHash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
        var request = new SignedRequest("PUT", rawTarget,
        [
            new("Host", AwsExample.Host),
            new("Date", "Fri, 24 May 2013 00:00:00 GMT"),
            new("x-amz-date", AwsExample.AmzDate),
            new("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            new("x-amz-content-sha256", bodyHash),
            new("Authorization", AwsExample.Authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")),
        ]);

        var result = AwsExample.Verifier().Verify(request);

        Assert.Equal(PayloadMode.SignedSha256, result.PayloadMode);
        Assert.Equal(bodyHash, result.PayloadSha256Hex);
    }

    [Fact]
    public void SignHeaders_PutObject_ReproducesDocumentedSignature()
    {
        var signed = AwsExample.Signer().SignHeaders("PUT", "/test%24file.text",
            [new("Host", AwsExample.Host), new("Date", "Fri, 24 May 2013 00:00:00 GMT"), new("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            SigV4.Sha256Hex("Welcome to Amazon S3."));

        Assert.True(signed.TryGetHeader("authorization", out var authorization));
        Assert.EndsWith("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd", authorization, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/?lifecycle")]
    [InlineData("/?lifecycle=")]
    public void Verify_GetBucketLifecycle_ValuelessKeyIsSignedAsNameEquals(string rawTarget)
    {
        Assert.Equal("lifecycle=", SigV4.CanonicalQuery(rawTarget[2..]));
        var request = new SignedRequest("GET", rawTarget,
        [
            new("Host", AwsExample.Host),
            new("x-amz-date", AwsExample.AmzDate),
            new("x-amz-content-sha256", Empty),
            new("Authorization", AwsExample.Authorization("host;x-amz-content-sha256;x-amz-date",
                "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")),
        ]);

        Assert.Equal(AwsExample.AccessKeyId, AwsExample.Verifier().Verify(request).AccessKeyId);
    }

    [Fact]
    public void CanonicalRequest_GetBucketLifecycle_MatchesDocumentedHash()
    {
        var canonical = SigV4.CanonicalRequest("GET", SigV4.CanonicalUri("/"), SigV4.CanonicalQuery("lifecycle"),
            [new("host", AwsExample.Host), new("x-amz-content-sha256", Empty), new("x-amz-date", AwsExample.AmzDate)], Empty);

        Assert.Equal("9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca", SigV4.Sha256Hex(canonical));
    }

    [Fact]
    public void Verify_ListObjectsWithMaxKeysAndPrefix_SortsQueryAndAccepts()
    {
        var request = new SignedRequest("GET", "/?prefix=J&max-keys=2",
        [
            new("Host", AwsExample.Host),
            new("x-amz-date", AwsExample.AmzDate),
            new("x-amz-content-sha256", Empty),
            new("Authorization", AwsExample.Authorization("host;x-amz-content-sha256;x-amz-date",
                "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")),
        ]);

        Assert.Equal(AwsExample.AccessKeyId, AwsExample.Verifier().Verify(request).AccessKeyId);
    }

    [Fact]
    public void CanonicalRequest_ListObjects_MatchesDocumentedHash()
    {
        var canonical = SigV4.CanonicalRequest("GET", SigV4.CanonicalUri(""), SigV4.CanonicalQuery("max-keys=2&prefix=J"),
            [new("host", AwsExample.Host), new("x-amz-content-sha256", Empty), new("x-amz-date", AwsExample.AmzDate)], Empty);

        Assert.StartsWith("GET\n/\nmax-keys=2&prefix=J\n", canonical, StringComparison.Ordinal);
        Assert.Equal("df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7", SigV4.Sha256Hex(canonical));
    }

    private const string PresignedExample =
        "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    [Fact]
    public void CanonicalRequest_PresignedUrl_MatchesDocumentation()
    {
        var query = PresignedExample[(PresignedExample.IndexOf('?', StringComparison.Ordinal) + 1)..];
        var canonical = SigV4.CanonicalRequest("GET", SigV4.CanonicalUri("/test.txt"), SigV4.CanonicalQuery(query, "X-Amz-Signature"),
            [new("host", AwsExample.Host)], SigV4.UnsignedPayload);

        Assert.Equal(
            "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD",
            canonical);
        Assert.Equal("3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04", SigV4.Sha256Hex(canonical));
    }

    [Fact]
    public void Verify_PresignedUrlWithinItsDay_Accepts()
    {
        var request = new SignedRequest("GET", PresignedExample, [new("Host", AwsExample.Host)]);
        var clock = new FixedTimeProvider(AwsExample.Time.AddHours(23));

        var result = AwsExample.Verifier(clock).Verify(request);

        Assert.True(result.Presigned);
        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
        Assert.Null(result.PayloadSha256Hex);
        Assert.Equal("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", result.Signature);
    }

    [Fact]
    public void Presign_DocumentationExample_ReproducesDocumentedUrl()
    {
        var target = AwsExample.Signer().Presign("GET", "/test.txt", AwsExample.Host, TimeSpan.FromDays(1));

        Assert.Equal(PresignedExample, target);
    }

    [Fact]
    public void Verify_StreamingPutSeed_AcceptsAndGivesWhatChunkVerificationNeeds()
    {
        var request = new SignedRequest("PUT", "/examplebucket/chunkObject.txt",
        [
            new("Host", "s3.amazonaws.com"),
            new("x-amz-date", AwsExample.AmzDate),
            new("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            new("x-amz-content-sha256", SigV4.StreamingSignedPayload),
            new("Content-Encoding", "aws-chunked"),
            new("x-amz-decoded-content-length", "66560"),
            new("Content-Length", "66824"),
            new("Authorization", AwsExample.Authorization(
                "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
                "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")),
        ]);

        var result = AwsExample.Verifier().Verify(request);

        Assert.Equal(PayloadMode.StreamingSigned, result.PayloadMode);
        Assert.Null(result.PayloadSha256Hex);
        // The first chunk (64 KiB of 'a') as the documentation signs it, seeded with the request signature.
        var chunkStringToSign = $"AWS4-HMAC-SHA256-PAYLOAD\n{result.AmzDate}\n{result.Scope}\n{result.Signature}\n{Empty}\n" +
            SigV4.Sha256Hex(Enumerable.Repeat((byte)'a', 65536).ToArray());
        Assert.Equal("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", SigV4.Sign(result.SigningKey, chunkStringToSign));
    }
}
