using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>The ztdr-vault executable: init and serve as a user runs them.</summary>
public sealed class VaultCommandTests
{
    [Fact]
    public async Task Init_NewFolder_CreatesPrivateFolderCredentialsAndCertificate()
    {
        using var temp = new TemporaryDirectory("init");
        var data = temp.Combine("vault");
        var credentials = temp.Combine("creds");
        var result = await VaultProcess.RunVaultAsync(["init", "--data", data, "--credentials-out", credentials, "--bucket", "backups", "--hostname", "vault.example.test", "--hostname", "10.1.2.3"]);
        Assert.True(result.ExitCode == 0, result.ToString());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials));
        var text = await File.ReadAllTextAsync(credentials);
        Assert.Contains("[admin]", text, StringComparison.Ordinal);
        var secret = text.Split('\n').First(l => l.StartsWith("aws_secret_access_key", StringComparison.Ordinal)).Split('=')[1].Trim();
        Assert.DoesNotContain(secret, result.StandardOutput + result.StandardError, StringComparison.Ordinal);

        using var server = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(data, "tls", "server.crt")));
        var san = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("vault.example.test", san.EnumerateDnsNames());
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains(san.EnumerateIPAddresses(), ip => ip.ToString() == "10.1.2.3");
        Assert.Contains(san.EnumerateIPAddresses(), ip => ip.ToString() == "127.0.0.1");
        Assert.Contains(san.EnumerateIPAddresses(), ip => ip.ToString() == "::1");
    }

    [Fact]
    public async Task Init_DefaultRetention_LocksEveryNewVersionInThatMode()
    {
        await using var vault = await VaultProcess.StartAsync(initArguments: ["--default-retention", "2d", "--mode", "compliance"]);
        using var backup = vault.CreateClient("backup");
        var put = await backup.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "backups", Key = "defaulted", ContentBody = "x" });
        var head = await backup.GetObjectMetadataAsync(new Amazon.S3.Model.GetObjectMetadataRequest { BucketName = "backups", Key = "defaulted" });
        Assert.Equal(Amazon.S3.ObjectLockMode.Compliance, head.ObjectLockMode);
        Assert.InRange(head.ObjectLockRetainUntilDate!.Value.ToUniversalTime(), DateTime.UtcNow.AddDays(2).AddMinutes(-10), DateTime.UtcNow.AddDays(2).AddMinutes(1));
        using var maintenance = vault.CreateClient("maintenance");
        var denied = await Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() =>
            maintenance.DeleteObjectAsync(new Amazon.S3.Model.DeleteObjectRequest { BucketName = "backups", Key = "defaulted", VersionId = put.VersionId }));
        Assert.Equal("AccessDenied", denied.ErrorCode);
    }

    [Theory]
    [InlineData("0d")]
    [InlineData("36501d")]
    [InlineData("101y")]
    [InlineData("30x")]
    [InlineData("thirty")]
    public async Task Init_BadDefaultRetention_FailsWithOneLineAndCreatesNothing(string value)
    {
        using var temp = new TemporaryDirectory("init");
        var result = await VaultProcess.RunVaultAsync(["init", "--data", temp.Combine("vault"), "--credentials-out", temp.Combine("creds"), "--bucket", "b1b", "--default-retention", value]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Single(result.StandardError.Trim().Split('\n'));
        Assert.False(Directory.Exists(temp.Combine("vault")));
        Assert.False(File.Exists(temp.Combine("creds")));
    }

    [Fact]
    public async Task Init_ExistingVault_RefusesAndChangesNothing()
    {
        using var temp = new TemporaryDirectory("init");
        var data = temp.Combine("vault");
        var first = await VaultProcess.RunVaultAsync(["init", "--data", data, "--credentials-out", temp.Combine("creds"), "--bucket", "backups"]);
        Assert.Equal(0, first.ExitCode);
        var before = Snapshot(temp.Path);

        var again = await VaultProcess.RunVaultAsync(["init", "--data", data, "--credentials-out", temp.Combine("creds2")]);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Single(again.StandardError.Trim().Split('\n'));
        Assert.Contains("already a vault", again.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(temp.Path));
    }

    [Fact]
    public async Task Init_NonEmptyFolder_RefusesAndChangesNothing()
    {
        using var temp = new TemporaryDirectory("init");
        var data = temp.Combine("occupied");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "someone-elses-file"), "precious");
        var before = Snapshot(temp.Path);
        var result = await VaultProcess.RunVaultAsync(["init", "--data", data, "--credentials-out", temp.Combine("creds")]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(before, Snapshot(temp.Path));
    }

    [Fact]
    public async Task Serve_InsecureHttpOnNonLoopback_RefusesWithOneLine()
    {
        using var temp = new TemporaryDirectory("serve");
        var data = temp.Combine("vault");
        Assert.Equal(0, (await VaultProcess.RunVaultAsync(["init", "--data", data, "--credentials-out", temp.Combine("creds")])).ExitCode);
        var result = await VaultProcess.RunVaultAsync(["serve", "--data", data, "--listen", "0.0.0.0:19555", "--insecure-http"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Single(result.StandardError.Trim().Split('\n'));
        Assert.Contains("loopback", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_MissingDataFolder_FailsWithOneLine()
    {
        using var temp = new TemporaryDirectory("serve");
        var result = await VaultProcess.RunVaultAsync(["serve", "--data", temp.Combine("nothing-here"), "--listen", "127.0.0.1:19556"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Single(result.StandardError.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_Sigterm_ExitsCleanlyAndLogsNoSecret()
    {
        await using var vault = await VaultProcess.StartAsync();
        using (var s3 = vault.CreateClient())
        {
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "backups", Key = "k", ContentBody = "v" });
            await Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() => s3.GetObjectAsync("backups", "missing"));
        }

        Assert.Equal(0, await vault.StopAsync());
        Assert.DoesNotContain(vault.Credentials().Secret, vault.Log, StringComparison.Ordinal);
        Assert.Contains("\"LogLevel\"", vault.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_PlainHttpToTlsPort_IsNotServed()
    {
        await using var vault = await VaultProcess.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var failed = false;
        try
        {
            var response = await http.GetAsync(new Uri($"http://127.0.0.1:{vault.Port}/"));
            failed = (int)response.StatusCode == 400;
        }
        catch (HttpRequestException)
        {
            failed = true;
        }

        Assert.True(failed, "a plain-HTTP request to the TLS listener must not be served");
    }

    [Fact]
    public async Task Serve_InsecureHttpOnLoopback_ServesSignedRequests()
    {
        await using var vault = await VaultProcess.StartAsync(insecureHttp: true);
        using var s3 = vault.CreateClient();
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "backups", Key = "plain", ContentBody = "over loopback" });
        using var get = await s3.GetObjectAsync("backups", "plain");
        Assert.Equal("over loopback", Encoding.UTF8.GetString(await S3Assert.ReadAllAsync(get.ResponseStream)));
    }

    [Fact]
    public async Task VirtualHostedAddressing_BucketInHostHeader_ReachesTheBucket()
    {
        await using var vault = await VaultProcess.StartAsync(hostnames: ["vault.example.test"]);
        using var raw = new RawS3(vault);
        var host = $"backups.vault.example.test:{vault.Port}";
        var put = await raw.SendAsync("PUT", "/virtual/key.txt", Encoding.UTF8.GetBytes("virtual"), host: host);
        Assert.Equal(200, put.Status);
        var pathStyle = await raw.SendAsync("GET", "/backups/virtual/key.txt");
        Assert.Equal("virtual", pathStyle.Text);
    }

    /// <summary>Every file under a folder with its size, mode and content hash.</summary>
    private static string Snapshot(string root)
    {
        var lines = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path =>
            {
                var mode = File.GetUnixFileMode(path);
                if (Directory.Exists(path))
                {
                    return $"{Path.GetRelativePath(root, path)}/ {mode}";
                }

                return $"{Path.GetRelativePath(root, path)} {mode} {new FileInfo(path).Length} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}";
            });
        return string.Join('\n', lines);
    }
}
