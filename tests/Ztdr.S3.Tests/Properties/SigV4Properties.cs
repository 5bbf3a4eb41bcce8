using System.Globalization;
using System.Text;
using FsCheck.Fluent;
using Xunit.Abstractions;
using Ztdr.S3.Errors;
using Ztdr.S3.Signing;
using Ztdr.S3.Tests.Signing;

namespace Ztdr.S3.Tests.Properties;

/// <summary>
/// SigV4 from the verifier's side: whatever a client signs with the project's signer verifies, any semantic change to a
/// signed request is refused, and random or mutated Authorization headers and presigned queries end in an S3 error
/// from the catalog, never another exception. Canonical forms are idempotent and independent of parameter order.
/// </summary>
public sealed class SigV4Properties(ITestOutputHelper output)
{
    private const string AccessKey = "AKIDPROPERTY0000TEST";
    private const string Secret = "property/secret/key/for/sigv4/tests/0000";
    private const string Host = "vault.example:9000";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Methods = ["GET", "PUT", "POST", "DELETE", "HEAD"];
    private static readonly string[] HeaderNames = ["x-amz-meta-a", "x-amz-meta-b", "content-type", "x-amz-object-lock-mode", "content-md5", "range", "x-amz-tagging"];

    private static readonly string[] HostileTokens =
    [
        "", " ", ",", ";", "=", "==", "/", "//", "AWS4-HMAC-SHA256", "AWS", "AWS4-ECDSA-P256-SHA256", "Credential=", "SignedHeaders=",
        "Signature=", "host", "host;x-amz-date", "HOST", "x-amz-date;host;host", AccessKey, "20261128", "us-east-1", "s3", "aws4_request",
        "\0", "\t", "é", "\uFFFD", "%", "%00", "%FF", "+", new string('a', 64), new string('f', 65), "99991231T235959Z",
        "20261128T120000Z", "00010101T000000Z", "-1", "0", "604801", "2147483648", "1e3", " 60", "UNSIGNED-PAYLOAD",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
        new string('x', 5000),
    ];

    private static FsCheck.Gen<int> Seeds => Gen.Choose(0, int.MaxValue);

    [Fact]
    public void SignedByHeader_AnyTargetAndHeaders_Verifies() =>
        PropertyRun.Check(output, "sigv4: header-signed request verifies", Seeds, seed =>
        {
            var request = SignRandom(new Random(seed));

            var authentication = Verifier().Verify(request);

            Assert.Equal(AccessKey, authentication.AccessKeyId);
        }, cases: 1000);

    [Fact]
    public void SignedByHeader_AnySemanticChange_IsRefused() =>
        PropertyRun.Check(output, "sigv4: tampered header-signed request refused", Seeds, seed =>
        {
            var random = new Random(seed);
            var tampered = Tamper(random, SignRandom(random));

            var (verified, _, refusal) = WireOutcome.Run(() => Verifier().Verify(tampered));

            Assert.False(verified, $"a tampered request verified: {tampered.Method} {tampered.RawTarget}");
            Assert.NotNull(refusal);
        }, cases: 1000);

    [Fact]
    public void AuthorizationHeader_RandomOrMutated_VerifiesOrRefusesWithCatalogError() =>
        PropertyRun.Check(output, "sigv4: random Authorization headers", Seeds, seed =>
        {
            var random = new Random(seed);
            var signed = SignRandom(random);
            var authorization = signed.Headers["authorization"];
            authorization = random.Next(3) == 0 ? Tokens(random, 12) : MutateText(random, authorization);
            var request = signed.WithHeader("authorization", authorization);
            if (random.Next(3) == 0)
            {
                request = request.WithHeader(random.Next(2) == 0 ? "x-amz-date" : "x-amz-content-sha256", random.Next(4) == 0 ? null : Tokens(random, 2));
            }

            if (random.Next(8) == 0)
            {
                request = request.WithHeader("date", random.Next(2) == 0 ? "Sat, 28 Nov 2026 12:00:00 GMT" : Tokens(random, 3));
            }

            WireOutcome.Run(() => Verifier().Verify(request));
        }, cases: 2000);

    [Fact]
    public void PresignedQuery_RandomOrMutated_VerifiesOrRefusesWithCatalogError() =>
        PropertyRun.Check(output, "sigv4: random presigned queries", Seeds, seed =>
        {
            var random = new Random(seed);
            var url = Signer().Presign("GET", RandomPath(random), Host, TimeSpan.FromSeconds(random.Next(1, 604801)));
            var (path, query) = (url[..url.IndexOf('?', StringComparison.Ordinal)], url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..]);
            var parameters = query.Split('&').ToList();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(parameters.Count);
                switch (random.Next(5))
                {
                    case 0:
                        parameters.RemoveAt(at);
                        break;
                    case 1:
                        parameters.Add(parameters[at]);
                        break;
                    case 2:
                        parameters[at] = parameters[at][..(parameters[at].IndexOf('=', StringComparison.Ordinal) + 1)] + Uri.EscapeDataString(Tokens(random, 2));
                        break;
                    case 3:
                        parameters[at] = MutateText(random, parameters[at]);
                        break;
                    default:
                        parameters.Insert(at, Uri.EscapeDataString(Tokens(random, 1)) + "=" + Uri.EscapeDataString(Tokens(random, 1)));
                        break;
                }

                if (parameters.Count == 0)
                {
                    parameters.Add(string.Empty);
                }
            }

            var request = new SignedRequest("GET", path + "?" + string.Join('&', parameters), [new("host", Host)]);
            WireOutcome.Run(() => Verifier().Verify(request));
        }, cases: 2000);

    [Fact]
    public void PresignedUrl_VerifiesUntilItExpiresThenIsAccessDeniedExpired() =>
        PropertyRun.Check(output, "sigv4: presigned URL lifetime", Seeds, seed =>
        {
            var random = new Random(seed);
            var expires = random.Next(4) == 0 ? random.Next(1, 5) : random.Next(1, 604801);
            var method = Methods[random.Next(Methods.Length)];
            var url = Signer().Presign(method, RandomPath(random), Host, TimeSpan.FromSeconds(expires));
            var request = new SignedRequest(method, url, [new("host", Host)]);

            var within = random.NextInt64(0, expires + 1);
            Assert.Equal(AccessKey, Verifier(Now.AddSeconds(within)).Verify(request).AccessKeyId);

            var after = expires + random.NextInt64(1, 10_000_000);
            var (verified, _, refusal) = WireOutcome.Run(() => Verifier(Now.AddSeconds(after)).Verify(request));
            Assert.False(verified);
            Assert.Equal(S3Errors.AccessDenied, refusal!.Error);
            Assert.Equal("Request has expired", refusal.Message);
        }, cases: 500);

    [Fact]
    public void HeaderSigned_OutsideTheSkewWindow_IsRequestTimeTooSkewed() =>
        PropertyRun.Check(output, "sigv4: replay outside the skew window", Seeds, seed =>
        {
            var random = new Random(seed);
            var request = SignRandom(random);
            var skew = TimeSpan.FromSeconds(random.NextInt64((long)SigV4Verifier.DefaultMaxSkew.TotalSeconds + 1, 400L * 86400)) * (random.Next(2) == 0 ? 1 : -1);

            var (verified, _, refusal) = WireOutcome.Run(() => Verifier(Now + skew).Verify(request));

            Assert.False(verified);
            Assert.Equal(S3Errors.RequestTimeTooSkewed, refusal!.Error);
        }, cases: 500);

    [Fact]
    public void CanonicalForms_AreIdempotentAndOrderFree() =>
        PropertyRun.Check(output, "sigv4: canonical URI/query idempotent, order-free; URI encoding round-trips", Seeds, seed =>
        {
            var random = new Random(seed);
            var path = RandomPath(random);
            var canonicalUri = SigV4.CanonicalUri(path);
            Assert.Equal(canonicalUri, SigV4.CanonicalUri(canonicalUri));

            var parameters = Enumerable.Range(0, random.Next(0, 8)).Select(_ => RawQueryParameter(random)).ToList();
            var canonicalQuery = SigV4.CanonicalQuery(string.Join('&', parameters));
            Assert.Equal(canonicalQuery, SigV4.CanonicalQuery(canonicalQuery));
            Assert.Equal(canonicalQuery, SigV4.CanonicalQuery(string.Join('&', parameters.OrderBy(_ => random.Next()))));

            var bytes = HostileBytes.RandomBytes(random, 64);
            Assert.Equal(bytes, S3UriEncoding.Decode(S3UriEncoding.Encode(bytes, encodeSlash: random.Next(2) == 0), plusIsSpace: random.Next(2) == 0));
        }, cases: 2000);

    private static SigV4Verifier Verifier(DateTimeOffset? now = null) =>
        new(id => id == AccessKey ? Secret : null, new FixedTimeProvider(now ?? Now), []);

    private static SigV4Signer Signer() => new(AccessKey, Secret, "us-east-1", new FixedTimeProvider(Now));

    /// <summary>A request with a random method, key, query and headers, signed by header with the project's signer.</summary>
    private static SignedRequest SignRandom(Random random)
    {
        var target = RandomPath(random);
        var query = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RawQueryParameter(random)).ToList();
        if (query.Count > 0)
        {
            target += "?" + string.Join('&', query);
        }

        var headers = new List<KeyValuePair<string, string>> { new("host", Host) };
        foreach (var name in HeaderNames.Where(_ => random.Next(3) == 0))
        {
            headers.Add(new(random.Next(3) == 0 ? name.ToUpperInvariant() : name, HeaderValue(random)));
        }

        var payload = random.Next(3) switch
        {
            0 => SigV4.UnsignedPayload,
            1 => SigV4.EmptyPayloadSha256,
            _ => SigV4.StreamingSignedPayload,
        };
        return Signer().SignHeaders(Methods[random.Next(Methods.Length)], target, headers, payload);
    }

    /// <summary>One semantic change: every one of them changes what the vault would do, so the signature must no longer hold.</summary>
    private static SignedRequest Tamper(Random random, SignedRequest signed)
    {
        var (path, query) = RequestTarget.Split(signed.RawTarget);
        switch (random.Next(6))
        {
            case 0:
                var method = Methods.Where(m => m != signed.Method).ElementAt(random.Next(Methods.Length - 1));
                return new SignedRequest(method, signed.RawTarget, signed.Headers);
            case 1:
                return signed.WithTarget(path + "x" + (query.Length > 0 ? "?" + query : string.Empty));
            case 2:
                return signed.WithTarget(path + "?" + (query.Length > 0 ? query + "&" : string.Empty) + "versionId=v1");
            case 3:
                var name = signed.Headers.Keys.Where(h => h is not ("authorization" or "host")).OrderBy(h => h, StringComparer.Ordinal).ElementAt(random.Next(signed.Headers.Count - 2));
                return signed.WithHeader(name, signed.Headers[name] + "!");
            case 4:
                var date = DateTimeOffset.ParseExact(signed.Headers["x-amz-date"], SigV4.AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                return signed.WithHeader("x-amz-date", SigV4.FormatAmzDate(date.AddSeconds(random.Next(2) == 0 ? 1 : -1)));
            default:
                var authorization = signed.Headers["authorization"];
                var at = authorization.Length - 1 - random.Next(64);
                var flipped = authorization[at] == '0' ? '1' : '0';
                return signed.WithHeader("authorization", authorization[..at] + flipped + authorization[(at + 1)..]);
        }
    }

    /// <summary>"/bucket/key" as a client puts it on the request line: some bytes escaped, some sent raw, '..' and '%2F' included.</summary>
    private static string RandomPath(Random random)
    {
        var builder = new StringBuilder("/bucket/");
        var pieces = random.Next(1, 12);
        for (var i = 0; i < pieces; i++)
        {
            switch (random.Next(8))
            {
                case 0:
                    builder.Append(random.Next(4) switch { 0 => "..", 1 => "./", 2 => "//", _ => "/" });
                    break;
                case 1:
                    builder.Append('%').Append(random.Next(256).ToString("X2", CultureInfo.InvariantCulture));
                    break;
                case 2:
                    builder.Append(Uri.EscapeDataString(HostileBytes.XmlSafeText(random, 2)));
                    break;
                case 3:
                    builder.Append("!$'()*:@,;=+"[random.Next(12)]);
                    break;
                default:
                    builder.Append((char)random.Next('a', 'z' + 1)).Append(random.Next(10));
                    break;
            }
        }

        return builder.ToString();
    }

    private static string RawQueryParameter(Random random)
    {
        var name = random.Next(3) switch
        {
            0 => Uri.EscapeDataString(HostileBytes.XmlSafeText(random, 2)),
            1 => "prefix",
            _ => "x" + random.Next(100).ToString(CultureInfo.InvariantCulture),
        };
        return random.Next(4) switch
        {
            0 => name,
            1 => name + "=",
            2 => name + "=" + Uri.EscapeDataString(HostileBytes.XmlSafeText(random, 4)),
            _ => name + "=" + "a+b%2Fc%20d",
        };
    }

    private static string HeaderValue(Random random) => random.Next(3) switch
    {
        0 => "  spaced \t  value  ",
        1 => "v" + random.Next().ToString(CultureInfo.InvariantCulture),
        _ => "a  b   c",
    };

    private static string Tokens(Random random, int max) =>
        string.Concat(Enumerable.Range(0, random.Next(1, max + 1)).Select(_ => HostileTokens[random.Next(HostileTokens.Length)]));

    private static string MutateText(Random random, string text)
    {
        var builder = new StringBuilder(text);
        for (var edits = random.Next(1, 5); edits > 0; edits--)
        {
            var at = random.Next(builder.Length + 1);
            switch (random.Next(4))
            {
                case 0 when at < builder.Length:
                    builder.Remove(at, Math.Min(builder.Length - at, random.Next(1, 20)));
                    break;
                case 1:
                    builder.Insert(at, HostileTokens[random.Next(HostileTokens.Length)]);
                    break;
                case 2 when at < builder.Length:
                    builder[at] = (char)random.Next(0, 0x300);
                    break;
                default:
                    builder.Length = Math.Min(builder.Length, at);
                    break;
            }
        }

        return builder.ToString();
    }
}
