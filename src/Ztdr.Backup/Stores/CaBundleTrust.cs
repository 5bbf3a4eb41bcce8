using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Ztdr.Backup.Stores;

/// <summary>
/// What AWS_CA_BUNDLE means for the AWS CLI: the server's chain must end at one of the CAs in the bundle file (and
/// only those; the system store is not consulted) and its name must match the endpoint. Nothing else is relaxed, so
/// a vault's self-issued CA can be trusted without trusting it for anything else.
/// </summary>
public sealed class CaBundleTrust
{
    private readonly X509Certificate2Collection _roots = [];

    public CaBundleTrust(string caBundlePath)
    {
        try
        {
            _roots.ImportFromPemFile(caBundlePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ArgumentException($"CA bundle '{caBundlePath}' cannot be read as PEM certificates: {e.Message}", nameof(caBundlePath), e);
        }

        if (_roots.Count == 0)
        {
            throw new ArgumentException($"CA bundle '{caBundlePath}' holds no certificate", nameof(caBundlePath));
        }
    }

    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
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
