using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tls;

/// <summary>
/// TLS by default: <c>init</c> creates a private CA and a server certificate in the vault's
/// <c>tls</c> folder, <c>serve</c> loads them, and <c>serve --hostname</c> reissues the server
/// certificate from the kept CA, so clients that trust <c>ca.crt</c> keep working.
/// </summary>
/// <remarks>
/// Folder layout: <c>ca.crt</c> (PEM, 0644; what clients trust), <c>ca.key</c> (PKCS#8 PEM, 0600),
/// <c>server.crt</c> (PEM chain: server, then CA; 0644), <c>server.key</c> (PKCS#8 PEM, 0600).
/// Every file is written whole under a temporary name, flushed and renamed; key files are 0600
/// from the moment they exist.
/// </remarks>
public static class TlsBootstrap
{
    public const string CaCertificateFileName = "ca.crt";
    public const string CaKeyFileName = "ca.key";
    public const string ServerCertificateFileName = "server.crt";
    public const string ServerKeyFileName = "server.key";

    private const UnixFileMode PublicFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode DirectoryMode = PublicFileMode
        | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static readonly string[] AllFileNames =
        [CaKeyFileName, CaCertificateFileName, ServerKeyFileName, ServerCertificateFileName];

    /// <summary>
    /// Creates the CA and a server certificate for localhost, 127.0.0.1, ::1 and
    /// <paramref name="extraHosts"/> (DNS names with a dot also get <c>*.name</c> for virtual-host-style buckets).
    /// Creates <paramref name="tlsDirectory"/> if needed.
    /// </summary>
    /// <exception cref="ArgumentException">A host is neither a valid DNS name nor an IP address.</exception>
    /// <exception cref="IOException">Any of the four files already exists; nothing is changed.</exception>
    public static void Initialize(string tlsDirectory, IEnumerable<string> extraHosts, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tlsDirectory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var hostNames = ServerHostNames.Parse(extraHosts);

        var existing = AllFileNames.Where(name => File.Exists(Path.Combine(tlsDirectory, name))).ToList();
        if (existing.Count > 0)
        {
            throw new IOException(
                $"TLS folder '{tlsDirectory}' already holds {string.Join(", ", existing)}; initialisation never replaces keys. " +
                "To change the server's host names, reissue the server certificate (serve --hostname); " +
                "to start over, move the folder away first.");
        }

        CreateDirectory(tlsDirectory);
        var now = timeProvider.GetUtcNow();
        using var authority = CertificateIssuer.CreateAuthority(now);
        using var server = CertificateIssuer.IssueServer(authority, hostNames, now);

        // Keys before certificates: an interrupted run can leave a key without its certificate,
        // never a published certificate whose key was lost.
        WritePrivateKey(Path.Combine(tlsDirectory, CaKeyFileName), authority, overwrite: false);
        WriteCertificates(Path.Combine(tlsDirectory, CaCertificateFileName), [authority], overwrite: false);
        WriteServer(tlsDirectory, authority, server, overwrite: false);
    }

    /// <summary>
    /// Replaces <c>server.crt</c> and <c>server.key</c> with a new key and a certificate for localhost,
    /// 127.0.0.1, ::1 and <paramref name="extraHosts"/>, signed by the existing CA. The CA files are not touched.
    /// </summary>
    /// <exception cref="FileNotFoundException">The CA certificate or key is missing (the vault was never initialised).</exception>
    public static void ReissueServerCertificate(string tlsDirectory, IEnumerable<string> extraHosts, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tlsDirectory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var hostNames = ServerHostNames.Parse(extraHosts);

        using var authority = LoadWithKey(tlsDirectory, CaCertificateFileName, CaKeyFileName);
        using var server = CertificateIssuer.IssueServer(authority, hostNames, timeProvider.GetUtcNow());
        WriteServer(tlsDirectory, authority, server, overwrite: true);
    }

    /// <summary>
    /// The server certificate with its private key, ready for Kestrel or <see cref="System.Net.Security.SslStream"/>.
    /// The caller disposes it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The server certificate or key is missing.</exception>
    /// <exception cref="InvalidOperationException">The key does not belong to the certificate.</exception>
    public static X509Certificate2 LoadServerCertificate(string tlsDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tlsDirectory);
        using var fromPem = LoadWithKey(tlsDirectory, ServerCertificateFileName, ServerKeyFileName);

        // A PEM-loaded key is ephemeral: fine for OpenSSL on Linux, refused by SChannel on Windows.
        // A PKCS#12 round trip gives a key every TLS stack accepts, at the cost of one export at startup.
        var pkcs12 = fromPem.Export(X509ContentType.Pkcs12);
        try
        {
            return X509CertificateLoader.LoadPkcs12(pkcs12, password: null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs12);
        }
    }

    /// <summary>The CA certificate (no key): what clients put in their trust store. The caller disposes it.</summary>
    public static X509Certificate2 LoadCaCertificate(string tlsDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tlsDirectory);
        var path = Path.Combine(tlsDirectory, CaCertificateFileName);
        RequireFile(path);
        return X509CertificateLoader.LoadCertificateFromFile(path);
    }

    private static X509Certificate2 LoadWithKey(string tlsDirectory, string certificateFileName, string keyFileName)
    {
        var certificatePath = Path.Combine(tlsDirectory, certificateFileName);
        var keyPath = Path.Combine(tlsDirectory, keyFileName);
        RequireFile(certificatePath);
        RequireFile(keyPath);
        try
        {
            // Loads the first certificate of the file: the server's own in server.crt, not the CA after it.
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"'{keyPath}' is not the private key of '{certificatePath}' or cannot be read ({exception.Message}). " +
                "Reissue the server certificate (serve --hostname), or restore both files from the same backup.",
                exception);
        }
    }

    private static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"'{path}' does not exist. Initialise the vault first (init), which creates the TLS files.", path);
        }
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            // 0755: ca.crt must be readable by users who configure clients; the keys protect themselves with 0600.
            Directory.CreateDirectory(path, DirectoryMode);
        }
    }

    private static void WriteServer(string tlsDirectory, X509Certificate2 authority, X509Certificate2 server, bool overwrite)
    {
        // Between these two renames key and certificate do not match; loading then fails with a clear
        // message instead of serving a wrong certificate, and reissuing again repairs it.
        WritePrivateKey(Path.Combine(tlsDirectory, ServerKeyFileName), server, overwrite);
        WriteCertificates(Path.Combine(tlsDirectory, ServerCertificateFileName), [server, authority], overwrite);
    }

    private static void WriteCertificates(string path, X509Certificate2[] chain, bool overwrite)
    {
        var pem = string.Concat(chain.Select(certificate => certificate.ExportCertificatePem() + "\n"));
        DurableFile.Write(path, System.Text.Encoding.ASCII.GetBytes(pem), PublicFileMode, overwrite);
    }

    private static void WritePrivateKey(string path, X509Certificate2 certificate, bool overwrite)
    {
        using var key = certificate.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException("An issued certificate has no ECDSA private key.");
        var der = key.ExportPkcs8PrivateKey();
        var pem = PemEncoding.WriteUtf8("PRIVATE KEY"u8, der);
        try
        {
            DurableFile.Write(path, pem, PrivateFileMode, overwrite);
        }
        finally
        {
            // Key bytes are not left for a later heap dump to find.
            CryptographicOperations.ZeroMemory(der);
            CryptographicOperations.ZeroMemory(pem);
        }
    }
}
