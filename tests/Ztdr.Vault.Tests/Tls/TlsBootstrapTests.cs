using System.Security.Cryptography.X509Certificates;
using Ztdr.Vault.Tls;

namespace Ztdr.Vault.Tests.Tls;

public sealed class TlsBootstrapTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly TemporaryFolder _folder = new();

    private string TlsDirectory => _folder.Combine("tls");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Initialize_EmptyFolder_WritesFourFilesWithTheirModes()
    {
        TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System);

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(TlsDirectory, "ca.key")));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(TlsDirectory, "server.key")));
        Assert.Equal(Public, File.GetUnixFileMode(Path.Combine(TlsDirectory, "ca.crt")));
        Assert.Equal(Public, File.GetUnixFileMode(Path.Combine(TlsDirectory, "server.crt")));
    }

    [Fact]
    public void Initialize_EmptyFolder_LeavesNoTemporaryFiles()
    {
        TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System);

        var names = Directory.GetFiles(TlsDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["ca.crt", "ca.key", "server.crt", "server.key"], names);
    }

    [Fact]
    public void Initialize_KeyFiles_ArePkcs8Pem()
    {
        TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System);

        foreach (var name in new[] { "ca.key", "server.key" })
        {
            var pem = File.ReadAllText(Path.Combine(TlsDirectory, name));
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Initialize_ServerCertificateFile_HoldsServerThenCa()
    {
        TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System);

        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(Path.Combine(TlsDirectory, "server.crt"));
        using var ca = TlsBootstrap.LoadCaCertificate(TlsDirectory);

        Assert.Equal(2, chain.Count);
        Assert.Equal(ca.Subject, chain[0].Issuer);
        Assert.Equal(ca.Thumbprint, chain[1].Thumbprint);
    }

    [Fact]
    public void Initialize_AlreadyInitialized_ThrowsAndChangesNothing()
    {
        TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System);
        var before = ReadAll();

        var exception = Assert.Throws<IOException>(() => TlsBootstrap.Initialize(TlsDirectory, ["vault.example"], TimeProvider.System));

        Assert.Contains("ca.key", exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, ReadAll());
    }

    [Fact]
    public void Initialize_OnlyCaKeyExists_ThrowsAndKeepsIt()
    {
        Directory.CreateDirectory(TlsDirectory);
        var caKey = Path.Combine(TlsDirectory, "ca.key");
        File.WriteAllText(caKey, "precious");

        Assert.Throws<IOException>(() => TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System));

        Assert.Equal("precious", File.ReadAllText(caKey));
        Assert.Single(Directory.GetFiles(TlsDirectory));
    }

    [Fact]
    public void Initialize_InvalidHost_ThrowsBeforeWritingAnything()
    {
        Assert.Throws<ArgumentException>(() => TlsBootstrap.Initialize(TlsDirectory, ["not a host"], TimeProvider.System));

        Assert.False(Directory.Exists(TlsDirectory));
    }

    [Fact]
    public void Initialize_FixedClock_CaValidTenYearsServerTwo()
    {
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        TlsBootstrap.Initialize(TlsDirectory, [], new FixedTimeProvider(now));

        using var ca = TlsBootstrap.LoadCaCertificate(TlsDirectory);
        using var server = TlsBootstrap.LoadServerCertificate(TlsDirectory);
        Assert.InRange(ca.NotBefore.ToUniversalTime(), now.UtcDateTime.AddMinutes(-10), now.UtcDateTime);
        Assert.InRange(ca.NotAfter.ToUniversalTime(), now.UtcDateTime.AddYears(10).AddDays(-2), now.UtcDateTime.AddYears(10).AddDays(2));
        Assert.InRange(server.NotAfter.ToUniversalTime(), now.UtcDateTime.AddYears(2).AddDays(-2), now.UtcDateTime.AddYears(2).AddDays(2));
    }

    [Fact]
    public void ReissueServerCertificate_NearCaExpiry_EndsWithTheCa()
    {
        var start = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        TlsBootstrap.Initialize(TlsDirectory, [], new FixedTimeProvider(start));

        TlsBootstrap.ReissueServerCertificate(TlsDirectory, [], new FixedTimeProvider(start.AddYears(9)));

        using var ca = TlsBootstrap.LoadCaCertificate(TlsDirectory);
        using var server = TlsBootstrap.LoadServerCertificate(TlsDirectory);
        Assert.Equal(ca.NotAfter, server.NotAfter);
    }

    [Fact]
    public void ReissueServerCertificate_NewHosts_ReplacesServerFilesOnly()
    {
        TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System);
        var before = ReadAll();

        TlsBootstrap.ReissueServerCertificate(TlsDirectory, ["vault.example"], TimeProvider.System);

        var after = ReadAll();
        Assert.Equal(before["ca.crt"], after["ca.crt"]);
        Assert.Equal(before["ca.key"], after["ca.key"]);
        Assert.NotEqual(before["server.crt"], after["server.crt"]);
        Assert.NotEqual(before["server.key"], after["server.key"]);
        using var server = TlsBootstrap.LoadServerCertificate(TlsDirectory);
        Assert.Contains("vault.example", CertificateInspection.DnsNames(server));
    }

    [Fact]
    public void ReissueServerCertificate_ExistingFiles_KeepsModes()
    {
        TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System);

        TlsBootstrap.ReissueServerCertificate(TlsDirectory, ["vault.example"], TimeProvider.System);

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(TlsDirectory, "server.key")));
        Assert.Equal(Public, File.GetUnixFileMode(Path.Combine(TlsDirectory, "server.crt")));
    }

    [Fact]
    public void ReissueServerCertificate_NotInitialized_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => TlsBootstrap.ReissueServerCertificate(TlsDirectory, [], TimeProvider.System));
    }

    [Fact]
    public void LoadServerCertificate_Initialized_HasPrivateKey()
    {
        TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System);

        using var server = TlsBootstrap.LoadServerCertificate(TlsDirectory);

        Assert.True(server.HasPrivateKey);
        Assert.Equal("CN=ztdr-vault, O=Ztdr", server.Subject);
    }

    [Fact]
    public void LoadServerCertificate_KeyFromAnotherVault_ThrowsInvalidOperation()
    {
        TlsBootstrap.Initialize(TlsDirectory, [], TimeProvider.System);
        var other = _folder.Combine("other");
        TlsBootstrap.Initialize(other, [], TimeProvider.System);
        File.Copy(Path.Combine(other, "server.key"), Path.Combine(TlsDirectory, "server.key"), overwrite: true);

        var exception = Assert.Throws<InvalidOperationException>(() => TlsBootstrap.LoadServerCertificate(TlsDirectory));

        Assert.Contains("server.key", exception.Message, StringComparison.Ordinal);
    }

    private Dictionary<string, byte[]> ReadAll() =>
        Directory.GetFiles(TlsDirectory).ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes);
}
