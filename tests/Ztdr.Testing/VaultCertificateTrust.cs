using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Ztdr.Testing;

/// <summary>
/// Trusts exactly one vault's CA (what AWS_CA_BUNDLE does for the CLI): the chain must end at that CA and the name
/// must match. Nothing else is relaxed.
/// </summary>
public sealed class VaultCertificateTrust
{
    private readonly X509Certificate2 _ca;

    public VaultCertificateTrust(string caBundlePath)
    {
        _ca = X509Certificate2.CreateFromPem(File.ReadAllText(caBundlePath));
    }

    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    public SocketsHttpHandler CreateHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors),
        },
    };
}
