using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ztdr.Vault.Tls;

/// <summary>
/// Builds the vault's private CA and the server certificates it signs, with the .NET
/// cryptography APIs only (no openssl process, nothing to install on the appliance).
/// </summary>
internal static class CertificateIssuer
{
    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    private static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3652);

    // Two years: under the 825 days Apple clients accept even from a user-installed root.
    private static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(730);

    // Tolerates a client whose clock is a little behind the vault's.
    private static readonly TimeSpan Backdating = TimeSpan.FromMinutes(5);

    /// <summary>A self-signed CA that may sign server certificates and nothing below them (path length 0).</summary>
    public static X509Certificate2 CreateAuthority(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyIdentifier = new X509SubjectKeyIdentifierExtension(new PublicKey(key), critical: false);

        // The key id in the name keeps the CAs of several vaults apart in one trust store.
        var subject = new X500DistinguishedName($"CN=ztdr-vault CA {keyIdentifier.SubjectKeyIdentifier![..16]}, O=Ztdr");
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(keyIdentifier);

        return request.CreateSelfSigned(now - Backdating, now + AuthorityLifetime);
    }

    /// <summary>
    /// A server certificate for <paramref name="hostNames"/>, signed by <paramref name="authority"/>
    /// (which must carry its private key), returned with its own private key.
    /// </summary>
    public static X509Certificate2 IssueServer(X509Certificate2 authority, ServerHostNames hostNames, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=ztdr-vault, O=Ztdr"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid(ServerAuthenticationOid) }, critical: false));
        request.CertificateExtensions.Add(hostNames.ToExtension());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        // A certificate must lie within its issuer's validity; late in the CA's life the server certificate is shorter.
        var notBefore = Max(now - Backdating, authority.NotBefore);
        var notAfter = Min(now + ServerLifetime, authority.NotAfter);
        using var certificate = request.Create(authority, notBefore, notAfter, NewSerialNumber());
        return certificate.CopyWithPrivateKey(key);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static byte[] NewSerialNumber()
    {
        // 128 random bits, positive (high bit clear) and with no leading zero byte, as RFC 5280 asks.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }
}
