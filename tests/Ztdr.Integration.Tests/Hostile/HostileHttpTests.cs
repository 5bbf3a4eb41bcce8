using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Ztdr.Testing;
using static Ztdr.Integration.Tests.Hostile.HostileVault;

namespace Ztdr.Integration.Tests.Hostile;

/// <summary>
/// Hostile HTTP against a real vault over real sockets: oversized heads and bodies, NUL and invalid UTF-8, traversal
/// keys, deep and long keys, multipart part-number abuse, lying Content-Length and x-amz-decoded-content-length. Each
/// answer is an S3 XML error or a clean close, never a 500 or a stack trace; nothing lands outside the data folder and
/// the vault serves a plain request afterwards.
/// </summary>
public sealed class HostileHttpTests(HostileVault vault) : IClassFixture<HostileVault>
{
    private const string Bucket = VaultProcess.DefaultBucket;

    public static TheoryData<int, int> OversizedHeads => new()
    {
        { 300, 8 },
        { 1, 100_000 },
        { 150, 600 },
    };

    [Theory]
    [MemberData(nameof(OversizedHeads))]
    public async Task Head_TooManyOrTooLargeHeaders_IsRefusedCleanly(int count, int size)
    {
        var target = $"/{Bucket}/{Marker}/head";
        var extra = Enumerable.Range(0, count).Select(i => new KeyValuePair<string, string>($"x-pad-{i}", new string('h', size)));
        await using var connection = await RawConnection.OpenAsync(vault.Vault);

        await connection.SendAsync(RawConnection.Head("GET", target, [.. vault.SignedHeaders("GET", target, []), .. extra]));
        var response = await connection.ReadResponseAsync();
        vault.Count();

        if (response is not null)
        {
            Assert.Equal(431, response.Status);
            AssertCleanRefusal(response.Status, response.Text, "oversized head");
        }

        await vault.AssertStillServesAsync();
    }

    public static TheoryData<string, string, int> OversizedXmlBodies => new()
    {
        { "PUT", $"/{Bucket}/{Marker}/big-retention?retention", 1024 * 1024 },
        { "PUT", $"/{Bucket}/{Marker}/big-hold?legal-hold", 200 * 1024 },
        { "PUT", $"/{Bucket}?versioning", 1024 * 1024 },
        { "PUT", $"/{Bucket}?object-lock", 100 * 1024 },
        { "POST", $"/{Bucket}?delete", 3 * 1024 * 1024 },
    };

    [Theory]
    [MemberData(nameof(OversizedXmlBodies))]
    public async Task XmlEndpoint_BodyOverItsCap_IsMalformedXml(string method, string target, int size)
    {
        // A well-formed start that goes on and on: only the cap stops it.
        var body = Encoding.UTF8.GetBytes("<Delete><Object><Key>" + new string('k', size) + "</Key></Object></Delete>");
        var md5 = Convert.ToBase64String(MD5.HashData(body));

        var response = await vault.Raw.SendAsync(method, target, body, [new("content-md5", md5)]);
        vault.Count();

        AssertCleanRefusal(response.Status, response.Text, target);
        Assert.Equal(400, response.Status);
        Assert.Equal("MalformedXML", response.ErrorCode);
        await vault.AssertStillServesAsync();
    }

    public static TheoryData<string> HostileKeys => new()
    {
        $"{Marker}/..%2F..%2F..%2F{Marker}-escape",
        $"{Marker}/../../../{Marker}-escape",
        $"{Marker}/%2E%2E/%2E%2E/{Marker}-escape",
        $"..%2F..%2F{Marker}-escape",
        $"{Marker}/./x",
        $"{Marker}/.",
        $"{Marker}/a%00b",
        $"{Marker}/%00",
        $"{Marker}/%C0%AF",
        $"{Marker}/%FF%FE",
        $"{Marker}/%ED%A0%80",
        $"{Marker}/%F4%90%80%80",
        $"{Marker}/tab%09newline%0Acr%0D",
        $"{Marker}/%2F%2F%2F",
        $"{Marker}/~user/%25",
        $"{Marker}/" + string.Concat(Enumerable.Repeat("%2E%2E%2F", 100)) + "etc/passwd",
    };

    [Theory]
    [MemberData(nameof(HostileKeys))]
    public async Task Key_TraversalNulOrInvalidUtf8_IsStoredInsideOrRefused(string key)
    {
        var target = $"/{Bucket}/{key}";
        var data = Encoding.UTF8.GetBytes("hostile key " + key);

        var put = await vault.Raw.SendAsync("PUT", target, data);
        vault.Count();

        AssertCleanRefusal(put.Status, put.Text, key);
        if (put.Status == 200)
        {
            // Accepted: an S3 key may hold '..' and the like, and it reads back as exactly what was written.
            var get = await vault.Raw.SendAsync("GET", target);
            Assert.True(get.Status == 200, get.ToString());
            Assert.Equal(data, get.Body);
        }
        else if (put.ErrorCode is null)
        {
            // Kestrel refuses a target that decodes to NUL before the vault sees it: a bare 400, nothing else.
            Assert.Equal(400, put.Status);
            Assert.Empty(put.Body);
        }
        else
        {
            Assert.InRange(put.Status, 400, 404);
        }

        vault.AssertNothingWrittenOutsideDataFolder();
        await vault.AssertStillServesAsync();
    }

    [Fact]
    public async Task Key_RawNulOrNonUtf8BytesOnTheWire_IsRefusedCleanly()
    {
        var bucket = Encoding.ASCII.GetBytes(Bucket);
        byte[][] cases =
        [
            [.. "GET /"u8, .. bucket, .. "/a"u8, 0xFF, 0xFE, .. " HTTP/1.1\r\nHost: x\r\n\r\n"u8],
            [.. "GET /"u8, .. bucket, .. "/a"u8, 0x00, .. "b HTTP/1.1\r\nHost: x\r\n\r\n"u8],
            [.. "GET /"u8, .. bucket, .. " HTTP/1.1\r\nHost: x\r\nx-amz-meta-a: a"u8, 0x00, .. "b\r\n\r\n"u8],
            [.. "GET /"u8, .. bucket, .. " HTTP/1.1\r\nHost: x\r\nx-amz-meta-a: "u8, 0xC3, 0x28, .. "\r\n\r\n"u8],
            [.. "GET /"u8, .. bucket, .. " HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n"u8],
            [.. "GET /"u8, .. bucket, .. " HTTP/1.1\r\nHost: x\r\n\0: v\r\n\r\n"u8],
            "\0\0\0\0\0\0\0\0\r\n\r\n"u8.ToArray(),
        ];
        foreach (var request in cases)
        {
            await using var connection = await RawConnection.OpenAsync(vault.Vault);
            await connection.SendAsync(request);
            var response = await connection.ReadResponseAsync();
            vault.Count();
            if (response is not null)
            {
                AssertCleanRefusal(response.Status, response.Text, Encoding.Latin1.GetString(request));
                Assert.InRange(response.Status, 400, 403);
            }
        }

        await vault.AssertStillServesAsync();
    }

    [Fact]
    public async Task Key_DeepPrefixesAndLength_OneThousandTwentyFourBytesIsTheLimit()
    {
        var deepest = string.Concat(Enumerable.Repeat("d/", 511)) + "d";
        var tooDeep = string.Concat(Enumerable.Repeat("d/", 1000)) + "d";
        var longest = $"{Marker}/" + new string('l', 1024 - Marker.Length - 1);
        var tooLong = longest + "l";

        var cases = new (string Key, int Status, string? Code)[]
        {
            (deepest, 200, null),
            (longest, 200, null),
            (tooDeep, 400, "KeyTooLongError"),
            (tooLong, 400, "KeyTooLongError"),
            (Uri.EscapeDataString(string.Concat(Enumerable.Repeat("é", 513))), 400, "KeyTooLongError"),
        };
        foreach (var (key, status, code) in cases)
        {
            var put = await vault.Raw.SendAsync("PUT", $"/{Bucket}/{key}", "x"u8.ToArray());
            vault.Count();
            AssertCleanRefusal(put.Status, put.Text, key[..20]);
            Assert.True(put.Status == status && put.ErrorCode == code, $"{key.Length} chars: {put}");
        }

        var list = await vault.Raw.SendAsync("GET", $"/{Bucket}?list-type=2&delimiter=%2F&prefix=" + Uri.EscapeDataString(deepest[..900]));
        vault.Count();
        Assert.True(list.Status == 200, list.ToString());
        Assert.Contains("<CommonPrefixes>", list.Text, StringComparison.Ordinal);
        await vault.AssertStillServesAsync();
    }

    [Fact]
    public async Task Multipart_PartNumbersOutOfRangeAndTenThousandAndOneParts_AreRefused()
    {
        var key = $"/{Bucket}/{Marker}/mpu";
        var init = await vault.Raw.SendAsync("POST", key + "?uploads");
        var uploadId = XDocument.Parse(init.Text).Root!.Elements().First(e => e.Name.LocalName == "UploadId").Value;
        var part = await vault.Raw.SendAsync("PUT", $"{key}?partNumber=1&uploadId={uploadId}", new byte[1024]);
        Assert.True(part.Status == 200, part.ToString());
        var etag = part.Headers["etag"];

        foreach (var number in new[] { "0", "10001", "-1", "99999999999", "1.5", "" })
        {
            var upload = await vault.Raw.SendAsync("PUT", $"{key}?partNumber={number}&uploadId={uploadId}", new byte[16]);
            vault.Count();
            AssertCleanRefusal(upload.Status, upload.Text, "part " + number);
            Assert.True(upload.Status == 400 && upload.ErrorCode == "InvalidArgument", $"part {number}: {upload}");
        }

        string Complete(IEnumerable<int> numbers) =>
            "<CompleteMultipartUpload>" + string.Concat(numbers.Select(n => $"<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>")) + "</CompleteMultipartUpload>";

        foreach (var body in new[] { Complete([0]), Complete([10001]), Complete([1, 10001]), Complete([-1, 1]), Complete(Enumerable.Range(1, 10001)) })
        {
            var complete = await vault.Raw.SendAsync("POST", $"{key}?uploadId={uploadId}", Encoding.UTF8.GetBytes(body));
            vault.Count();
            AssertCleanRefusal(complete.Status, complete.Text, "complete");
            Assert.True(complete.Status == 400 && complete.ErrorCode is "InvalidArgument" or "InvalidPart" or "InvalidPartOrder" or "MalformedXML", complete.ToString());
        }

        Assert.Equal(404, (await vault.Raw.SendAsync("HEAD", key)).Status);
        await vault.AssertStillServesAsync();
    }

    [Fact]
    public async Task ContentLength_ShorterThanBodyThenClosed_IsIncompleteBodyAndNothingStored()
    {
        var target = $"/{Bucket}/{Marker}/short-body";
        var body = new byte[100];
        await using var connection = await RawConnection.OpenAsync(vault.Vault);
        await connection.SendAsync(RawConnection.Head("PUT", target, [.. vault.SignedHeaders("PUT", target, body), new("Content-Length", "100")]));
        await connection.SendAsync(body.AsMemory(0, 10));
        await connection.EndSendingAsync();

        var response = await connection.ReadResponseAsync();
        vault.Count();

        if (response is not null)
        {
            AssertCleanRefusal(response.Status, response.Text, "short body");
            Assert.Equal(400, response.Status);
        }

        Assert.Equal(404, (await vault.Raw.SendAsync("HEAD", target)).Status);
        await vault.AssertStillServesAsync();
    }

    [Fact]
    public async Task ContentLength_LongerBodyThanDeclared_StoresNothingUnsignedAndTheRestIsABadRequest()
    {
        var target = $"/{Bucket}/{Marker}/long-body";
        var body = Encoding.ASCII.GetBytes("0123456789GET / HTTP/1.1\r\n\r\n");
        await using var connection = await RawConnection.OpenAsync(vault.Vault);
        await connection.SendAsync(RawConnection.Head("PUT", target, [.. vault.SignedHeaders("PUT", target, body), new("Content-Length", "10")]));
        await connection.SendAsync(body);

        var first = await connection.ReadResponseAsync();
        var second = await connection.ReadResponseAsync();
        vault.Count(2);

        // The signature covers the whole body, the vault read 10 bytes: the hashes differ and nothing is stored.
        Assert.NotNull(first);
        Assert.Equal(400, first.Status);
        Assert.Contains("XAmzContentSHA256Mismatch", first.Text, StringComparison.Ordinal);
        if (second is not null)
        {
            AssertCleanRefusal(second.Status, second.Text, "smuggled request");
            Assert.InRange(second.Status, 400, 403);
        }

        Assert.Equal(404, (await vault.Raw.SendAsync("HEAD", target)).Status);
        await vault.AssertStillServesAsync();
    }

    public static TheoryData<string, string> ConflictingFraming => new()
    {
        { "Content-Length: -1", "x" },
        { "Content-Length: 1, 2", "xx" },
        { "Content-Length: 99999999999999999999999", "x" },
        { "Content-Length: 0x10", "x" },
        { "Content-Length: 4\r\nTransfer-Encoding: chunked", "4\r\nabcd\r\n0\r\n\r\n" },
        { "Transfer-Encoding: chunked\r\nContent-Length: 4", "4\r\nabcd\r\n0\r\n\r\n" },
        { "Transfer-Encoding: gzip, chunked", "4\r\nabcd\r\n0\r\n\r\n" },
        { "Transfer-Encoding: chunked", "fffffffffffffffffff\r\nabcd\r\n0\r\n\r\n" },
        { "Transfer-Encoding: chunked", "-4\r\nabcd\r\n0\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(ConflictingFraming))]
    public async Task Framing_NegativeOrConflictingLengths_AreRefusedAndNothingStored(string framing, string body)
    {
        var target = $"/{Bucket}/{Marker}/framing-{Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(framing)))[..12]}";
        var head = Encoding.Latin1.GetString(RawConnection.Head("PUT", target, vault.SignedHeaders("PUT", target, [], payloadHash: "UNSIGNED-PAYLOAD")));
        await using var connection = await RawConnection.OpenAsync(vault.Vault);
        await connection.SendAsync(Encoding.Latin1.GetBytes(head[..^2] + framing + "\r\n\r\n" + body));

        var response = await connection.ReadResponseAsync();
        vault.Count();

        if (response is not null)
        {
            AssertCleanRefusal(response.Status, response.Text, framing + "\n" + (response.Status == 500 ? vault.Vault.Log[^3000..] : string.Empty));
        }

        // Whatever Kestrel makes of it, no object appears from a body whose length was a lie.
        var head404 = await vault.Raw.SendAsync("HEAD", target);
        Assert.True(head404.Status == 404 || response is { Status: 200 }, $"{framing}: stored although answered {response}");
        await vault.AssertStillServesAsync();
    }

    public static TheoryData<string> LyingDecodedLengths => new() { "6", "4", "0", "-1", "99999999999999999999", "abc", "" };

    [Theory]
    [MemberData(nameof(LyingDecodedLengths))]
    public async Task AwsChunked_DecodedContentLengthLies_IsRefusedAndNothingStored(string declared)
    {
        var target = $"/{Bucket}/{Marker}/decoded-{declared.Length}-{declared.GetHashCode(StringComparison.Ordinal):x}";
        var body = Encoding.ASCII.GetBytes("5\r\nhello\r\n0\r\n\r\n");
        var headers = vault.SignedHeaders("PUT", target, body,
            [new("x-amz-decoded-content-length", declared), new("content-encoding", "aws-chunked")], payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER");

        var response = await vault.Raw.SendRawAsync("PUT", target, body, headers.Where(h => h.Key != "Host").Prepend(new("host", vault.HostHeader)));
        vault.Count();

        AssertCleanRefusal(response.Status, response.Text, declared);
        Assert.True(response.Status == 400 && response.ErrorCode is "IncompleteBody" or "InvalidArgument" or "InvalidRequest", response.ToString());
        Assert.Equal(404, (await vault.Raw.SendAsync("HEAD", target)).Status);
        await vault.AssertStillServesAsync();
    }

    [Fact]
    public async Task AwsChunked_HonestDecodedLength_IsStored()
    {
        // The control for the lies above: the same body with the true length goes in.
        var target = $"/{Bucket}/{Marker}/decoded-honest";
        var body = Encoding.ASCII.GetBytes("5\r\nhello\r\n0\r\n\r\n");
        var headers = vault.SignedHeaders("PUT", target, body,
            [new("x-amz-decoded-content-length", "5"), new("content-encoding", "aws-chunked")], payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER");

        var response = await vault.Raw.SendRawAsync("PUT", target, body, headers.Where(h => h.Key != "Host").Prepend(new("host", vault.HostHeader)));

        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal("hello", (await vault.Raw.SendAsync("GET", target)).Text);
    }
}
