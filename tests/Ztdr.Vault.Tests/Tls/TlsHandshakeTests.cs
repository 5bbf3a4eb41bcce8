using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Ztdr.Vault.Tls;

namespace Ztdr.Vault.Tests.Tls;

/// <summary>
/// Real sockets: the loaded certificate must work in an actual TLS handshake on this platform
/// (an ephemeral PEM key can load fine and still fail inside the TLS stack), and a client that
/// trusts only ca.crt must accept exactly the names the vault was initialised for.
/// </summary>
public sealed class TlsHandshakeTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public TlsHandshakeTests()
    {
        TlsBootstrap.Initialize(_folder.Path, ["vault.example", "192.0.2.10"], TimeProvider.System);
    }

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("vault.example")]
    [InlineData("my-bucket.vault.example")]
    public async Task Handshake_ClientTrustingOnlyCa_SucceedsAndEchoes(string targetHost)
    {
        using var server = TlsBootstrap.LoadServerCertificate(_folder.Path);
        using var ca = TlsBootstrap.LoadCaCertificate(_folder.Path);

        var echoed = await HandshakeAndEchoAsync(server, ca, targetHost);

        Assert.Equal("hello"u8.ToArray(), echoed);
    }

    [Fact]
    public async Task Handshake_AfterReissue_OldCaStillTrustsNewCertificate()
    {
        using var ca = TlsBootstrap.LoadCaCertificate(_folder.Path);
        TlsBootstrap.ReissueServerCertificate(_folder.Path, ["other.example"], TimeProvider.System);
        using var server = TlsBootstrap.LoadServerCertificate(_folder.Path);

        var echoed = await HandshakeAndEchoAsync(server, ca, "other.example");

        Assert.Equal("hello"u8.ToArray(), echoed);
    }

    [Theory]
    [InlineData("example.org")]
    [InlineData("a.b.vault.example")]
    [InlineData("192.0.2.11")]
    [InlineData("my-bucket.localhost")]
    public async Task Handshake_NameNotInCertificate_IsRejected(string targetHost)
    {
        using var server = TlsBootstrap.LoadServerCertificate(_folder.Path);
        using var ca = TlsBootstrap.LoadCaCertificate(_folder.Path);

        await Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAndEchoAsync(server, ca, targetHost));
    }

    [Fact]
    public async Task Handshake_ClientTrustingAnotherVaultsCa_IsRejected()
    {
        var other = _folder.Combine("other");
        TlsBootstrap.Initialize(other, [], TimeProvider.System);
        using var server = TlsBootstrap.LoadServerCertificate(_folder.Path);
        using var otherCa = TlsBootstrap.LoadCaCertificate(other);

        await Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAndEchoAsync(server, otherCa, "localhost"));
    }

    private static async Task<byte[]> HandshakeAndEchoAsync(X509Certificate2 serverCertificate, X509Certificate2 trustedCa, string targetHost)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var cancellation = timeout.Token;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var serverTask = ServeOneEchoAsync(listener, serverCertificate, cancellation);

            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cancellation);
            await using var tls = new SslStream(client.GetStream());
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.Add(trustedCa);
            try
            {
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions { TargetHost = targetHost, CertificateChainPolicy = policy },
                    cancellation);
            }
            finally
            {
                if (!tls.IsAuthenticated)
                {
                    // The server side fails too once the client aborts; that failure is expected, not the test's subject.
                    client.Close();
                    await Task.WhenAny(serverTask);
                }
            }

            await tls.WriteAsync("hello"u8.ToArray(), cancellation);
            var echoed = new byte[5];
            await tls.ReadExactlyAsync(echoed, cancellation);
            await serverTask;
            return echoed;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task ServeOneEchoAsync(TcpListener listener, X509Certificate2 certificate, CancellationToken cancellation)
    {
        using var connection = await listener.AcceptTcpClientAsync(cancellation);
        await using var tls = new SslStream(connection.GetStream());
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellation);
        var buffer = new byte[5];
        await tls.ReadExactlyAsync(buffer, cancellation);
        await tls.WriteAsync(buffer, cancellation);
    }
}
