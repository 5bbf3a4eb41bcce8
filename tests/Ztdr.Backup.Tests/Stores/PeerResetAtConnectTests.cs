using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Ztdr.Backup.Stores;
using Ztdr.Testing;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>
/// A peer that resets a connection as soon as it is accepted. .NET's connection pool reads the new socket's peer address
/// after connecting; once the reset has arrived that read fails with a bare SocketException (ENOTCONN), which is neither
/// the IOException nor the HttpRequestException the SDK retries. CI met it behind a dropping proxy: one dropped connection
/// ended a backup. <see cref="HandlerHttpClientFactory"/> must hand it to the SDK as the transient network error it is.
/// </summary>
public sealed class PeerResetAtConnectTests
{
    [Fact]
    public async Task Get_FirstConnectionsResetBeforeTheirPeerAddressIsRead_RetriedUntilTheServerAnswers()
    {
        using var server = new ScriptedS3Server(404, "NoSuchKey");
        await using var proxy = FaultProxy.Start(server.Endpoint.Port);
        proxy.DropEvery = 1;
        proxy.DropsLeft = 2;
        using var client = CreateClient(new Uri($"http://127.0.0.1:{proxy.Port}/"), retries: 2);

        // The third connection gets through; the server's definite answer proves both resets were retried.
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectAsync("backups", "data/x"));

        Assert.Equal("NoSuchKey", error.ErrorCode);
        Assert.Equal(2, proxy.Faults);
        Assert.InRange(proxy.Connections, 3, 64);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Get_EveryConnectionReset_GivesUpAfterTheRetriesAsANetworkError()
    {
        using var server = new ScriptedS3Server(404, "NoSuchKey");
        await using var proxy = FaultProxy.Start(server.Endpoint.Port);
        proxy.DropEvery = 1;
        using var client = CreateClient(new Uri($"http://127.0.0.1:{proxy.Port}/"), retries: 2);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetObjectAsync("backups", "data/x"));

        // Every attempt opened at least one connection (the pool may try again inside an attempt); all were reset.
        Assert.InRange(proxy.Connections, 3, 64);
        Assert.Equal(proxy.Connections, proxy.Faults);
        // Where the reset is met decides the type (connect: HttpRequestException; mid-send: IOException); both are
        // the network errors the SDK retries, never the bare SocketException that stopped it.
        Assert.True(error is HttpRequestException or IOException, error.ToString());
        Assert.Equal(0, server.Requests);
    }

    /// <summary>
    /// The store's client settings, over a handler that connects as the pool does (by name) and returns only once the
    /// peer's reset has arrived, so the pool's read of the peer address meets it every time instead of by chance.
    /// </summary>
    private static AmazonS3Client CreateClient(Uri endpoint, int retries)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = retries,
            HttpClientFactory = new HandlerHttpClientFactory(() => new SocketsHttpHandler { ConnectCallback = ConnectAndAwaitResetAsync }),
        };
        return new AmazonS3Client(new BasicAWSCredentials("AKIDTEST", "secret"), config);
    }

    private static async ValueTask<Stream> ConnectAndAwaitResetAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);

            // Readable within a second means the peer reset or closed; a served connection stays quiet until we write.
            socket.Poll(TimeSpan.FromSeconds(1), SelectMode.SelectRead);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
