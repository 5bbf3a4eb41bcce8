using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ztdr.Backup.Stores;
using Ztdr.Testing;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>
/// What an upload looks like on the wire, captured by a plain HTTP listener standing in for the server: the headers
/// the vault and RGW tests cannot show (both accept the request, for different reasons).
/// </summary>
public sealed class S3ObjectStoreWireTests : IDisposable
{
    private readonly TemporaryDirectory _scratch = new("s3-wire");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task PutNew_ByDefault_SendsItsDigestsAsHeadersWithNoTrailer()
    {
        var data = new byte[200_000];
        new Random(7).NextBytes(data);
        var headers = await CapturePutAsync(store => store.PutNewAsync("data/ab/x", data.AsMemory(), DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None));

        // Content-MD5 is what RGW 16 verifies, x-amz-checksum-crc32 what newer servers verify and keep, and either
        // satisfies AWS's rule for a PUT with Object Lock parameters.
        Assert.Equal(Convert.ToBase64String(MD5.HashData(data)), headers["Content-MD5"]);
        Assert.Equal(Crc32Base64(data), headers["x-amz-checksum-crc32"]);
        Assert.Equal("COMPLIANCE", headers["x-amz-object-lock-mode"]);

        // No aws-chunked trailer: that framing is what RGW 16 refuses with XAmzContentSHA256Mismatch.
        Assert.Null(headers["x-amz-trailer"]);
        Assert.DoesNotContain("TRAILER", headers["x-amz-content-sha256"] ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal(data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-amz-decoded-content-length"] ?? headers["Content-Length"]);
    }

    [Fact]
    public async Task PutNew_FromStreamMidway_DigestsCoverTheBytesFromThere()
    {
        var data = new byte[50_000];
        new Random(8).NextBytes(data);
        var stream = new MemoryStream(data) { Position = 1_000 };
        var headers = await CapturePutAsync(store => store.PutNewAsync("data/ab/y", stream, null, CancellationToken.None));

        Assert.Equal(Convert.ToBase64String(MD5.HashData(data.AsSpan(1_000))), headers["Content-MD5"]);
        Assert.Equal(Crc32Base64(data.AsSpan(1_000)), headers["x-amz-checksum-crc32"]);
        Assert.Null(headers["x-amz-trailer"]);
    }

    /// <summary>The headers of a PUT by an <see cref="S3ObjectStore"/> at a one-request listener that answers 200.</summary>
    private async Task<WebHeaderCollection> CapturePutAsync(Func<S3ObjectStore, Task> put)
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var credentials = _scratch.Combine("credentials");
        await File.WriteAllTextAsync(credentials, "[backup]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n");
        using var store = new S3ObjectStore(new S3StoreOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{port}"),
            Bucket = "bucket",
            CredentialsFile = credentials,
            Profile = "backup",
            MaxRetries = 0,
        });

        var sending = put(store);
        var context = await listener.GetContextAsync();
        await context.Request.InputStream.CopyToAsync(Stream.Null);
        var headers = new WebHeaderCollection { context.Request.Headers };
        context.Response.StatusCode = 200;
        context.Response.AddHeader("ETag", "\"0\"");
        context.Response.Close();
        await sending;
        return headers;
    }

    private static string Crc32Base64(ReadOnlySpan<byte> data)
    {
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, System.IO.Hashing.Crc32.HashToUInt32(data));
        return Convert.ToBase64String(crc);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
