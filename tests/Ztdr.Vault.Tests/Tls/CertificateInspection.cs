using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Ztdr.Vault.Tests.Tls;

/// <summary>Reads certificate extensions back the way a client would, independently of how they were built.</summary>
internal static class CertificateInspection
{
    public static X509SubjectAlternativeNameExtension SubjectAlternativeNames(X509Certificate2 certificate) =>
        Assert.IsType<X509SubjectAlternativeNameExtension>(certificate.Extensions["2.5.29.17"]);

    public static List<string> DnsNames(X509Certificate2 certificate) =>
        [.. SubjectAlternativeNames(certificate).EnumerateDnsNames()];

    public static List<IPAddress> IPAddresses(X509Certificate2 certificate) =>
        [.. SubjectAlternativeNames(certificate).EnumerateIPAddresses()];

    public static T Extension<T>(X509Certificate2 certificate)
        where T : X509Extension =>
        Assert.Single(certificate.Extensions.OfType<T>());
}
