using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ztdr.Vault.Tls;

namespace Ztdr.Vault.Tests.Tls;

public sealed class CertificateContentTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _server;

    public CertificateContentTests()
    {
        TlsBootstrap.Initialize(_folder.Path, ["vault.example", "192.0.2.10", "2001:db8::1", "Backup.Example.", "vault.example"], TimeProvider.System);
        _ca = TlsBootstrap.LoadCaCertificate(_folder.Path);
        _server = TlsBootstrap.LoadServerCertificate(_folder.Path);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _server.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void ServerCertificate_Sans_HoldDefaultsExtrasAndWildcardsOnce()
    {
        Assert.Equal(
            ["localhost", "vault.example", "*.vault.example", "backup.example", "*.backup.example"],
            CertificateInspection.DnsNames(_server));
    }

    [Fact]
    public void ServerCertificate_IpSans_HoldLoopbackAndExtras()
    {
        Assert.Equal(
            [IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::1")],
            CertificateInspection.IPAddresses(_server));
    }

    [Fact]
    public void ServerCertificate_Extensions_AreThoseOfATlsServer()
    {
        var constraints = CertificateInspection.Extension<X509BasicConstraintsExtension>(_server);
        var usage = CertificateInspection.Extension<X509KeyUsageExtension>(_server);
        var extended = CertificateInspection.Extension<X509EnhancedKeyUsageExtension>(_server);

        Assert.False(constraints.CertificateAuthority);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], extended.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(oid => oid.Value));
    }

    [Fact]
    public void Certificates_Keys_AreEcdsaP256()
    {
        foreach (var certificate in new[] { _ca, _server })
        {
            using var key = certificate.GetECDsaPublicKey();
            Assert.NotNull(key);
            Assert.Equal("1.2.840.10045.3.1.7", key.ExportParameters(includePrivateParameters: false).Curve.Oid.Value);
        }
    }

    [Fact]
    public void ServerCertificate_AuthorityKeyId_MatchesCaSubjectKeyId()
    {
        var authorityKeyId = CertificateInspection.Extension<X509AuthorityKeyIdentifierExtension>(_server);
        var caKeyId = CertificateInspection.Extension<X509SubjectKeyIdentifierExtension>(_ca);

        Assert.Equal(Convert.FromHexString(caKeyId.SubjectKeyIdentifier!), authorityKeyId.KeyIdentifier!.Value.ToArray());
    }

    [Fact]
    public void CaCertificate_Extensions_AreThoseOfACriticalCa()
    {
        var constraints = CertificateInspection.Extension<X509BasicConstraintsExtension>(_ca);
        var usage = CertificateInspection.Extension<X509KeyUsageExtension>(_ca);

        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        Assert.True(usage.Critical);
        Assert.NotNull(CertificateInspection.Extension<X509SubjectKeyIdentifierExtension>(_ca).SubjectKeyIdentifier);
        Assert.Equal(_ca.Subject, _ca.Issuer);
    }

    [Fact]
    public void ServerCertificate_Chain_BuildsToCaWithCustomRootTrust()
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);

        Assert.True(chain.Build(_server), string.Join("; ", chain.ChainStatus.Select(status => status.StatusInformation)));
    }
}
