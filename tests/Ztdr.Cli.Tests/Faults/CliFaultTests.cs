using System.Net;
using System.Net.Sockets;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Faults;

/// <summary>
/// The ztdr executable against a real ztdr-vault when something is wrong: each failure is one line on stderr, a
/// non-zero exit, and nothing written to the bucket.
/// </summary>
public sealed class CliFaultTests(SharedVault vault) : VaultCliTest("cli-faults", vault), IClassFixture<SharedVault>
{
    [Fact]
    public async Task Backup_WrongPassword_OneLineNonZeroAndNothingWritten()
    {
        var environment = FaultEnvironment.For(Vault, "wrong-password");
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        var before = await FaultEnvironment.ListAsync(Vault, "wrong-password/");
        environment["ZTDR_PASSWORD"] = "not the password";

        var result = await CliProcess.RunAsync(environment, "backup", Source());

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.StartsWith("ztdr: wrong password", line, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
        Assert.Equal(before, await FaultEnvironment.ListAsync(Vault, "wrong-password/"));
    }

    [Theory]
    [InlineData("backup")]
    [InlineData("snapshots")]
    public async Task Command_PrefixWithoutRepository_OneLineNonZeroAndNothingWritten(string command)
    {
        var environment = FaultEnvironment.For(Vault, "never-initialised");
        string[] args = command == "backup" ? [command, Source()] : [command];

        var result = await CliProcess.RunAsync(environment, args);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.StartsWith("ztdr: not found: There is no ztdr repository here", line, StringComparison.Ordinal);
        Assert.Empty(await FaultEnvironment.ListAsync(Vault, "never-initialised/"));
    }

    [Fact]
    public async Task Backup_NoSuchBucket_OneLineNamingTheBucket()
    {
        var environment = FaultEnvironment.For(Vault, "x");
        environment["ZTDR_REPOSITORY"] = $"s3:https://127.0.0.1:{Vault.Port}/no-such-bucket/x";

        // A key allowed on every bucket: a key scoped to other buckets is (rightly) denied before existence is told.
        environment["AWS_PROFILE"] = VaultProcess.AllRolesProfile;

        var result = await CliProcess.RunAsync(environment, "backup", Source());

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.True(line == "ztdr: not found: bucket 'no-such-bucket' does not exist", line);
    }

    /// <summary>Credentials the vault refuses are permanent: reported at once as access denied, with S3's code.</summary>
    [Theory]
    [InlineData("unknown-key", "InvalidAccessKeyId")]
    [InlineData("wrong-secret", "SignatureDoesNotMatch")]
    public async Task Backup_CredentialsRefused_OneLineWithTheCode(string profile, string code)
    {
        var environment = FaultEnvironment.For(Vault, "refused-" + profile);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        var (id, _) = Vault.Credentials("backup");
        var credentials = Scratch.Combine("credentials-" + profile);
        File.WriteAllText(credentials, profile == "unknown-key"
            ? $"[{profile}]\naws_access_key_id = AKIDNOTAKEY000000000\naws_secret_access_key = whatever\n"
            : $"[{profile}]\naws_access_key_id = {id}\naws_secret_access_key = not-the-secret\n");
        environment["AWS_SHARED_CREDENTIALS_FILE"] = credentials;
        environment["AWS_PROFILE"] = profile;
        var before = await FaultEnvironment.ListAsync(Vault, $"refused-{profile}/");

        var result = await CliProcess.RunAsync(environment, "backup", Source());

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.StartsWith("ztdr: access denied: ", line, StringComparison.Ordinal);
        Assert.True(line.Contains(code, StringComparison.Ordinal), line);
        Assert.Equal(before, await FaultEnvironment.ListAsync(Vault, $"refused-{profile}/"));
    }

    [Fact]
    public async Task Backup_NothingListeningAtEndpoint_OneLineAfterRetries()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var environment = FaultEnvironment.For(Vault, "x");
        environment["ZTDR_REPOSITORY"] = $"s3:https://127.0.0.1:{port}/backups/x";

        var result = await CliProcess.RunAsync(environment, "backup", Source());

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("ztdr: storage unavailable: ", Assert.Single(CliProcess.Lines(result.StandardError)), StringComparison.Ordinal);

        // Asked for detail (for a bug report), the same failure shows its cause, the refused connection, before the line.
        environment["ZTDR_DEBUG"] = "1";
        var detailed = await CliProcess.RunAsync(environment, "backup", Source());
        Assert.Equal(1, detailed.ExitCode);
        Assert.Contains("System.Net.Sockets.SocketException", detailed.StandardError, StringComparison.Ordinal);
        Assert.StartsWith("ztdr: storage unavailable: ", CliProcess.Lines(detailed.StandardError)[^1], StringComparison.Ordinal);
    }

    /// <summary>
    /// An address nobody answers (TEST-NET-1, RFC 5737): packets vanish, so only the connect timeout ends each attempt.
    /// Without the bound the run would hang for minutes (CliProcess gives up after two and fails the test).
    /// </summary>
    [Fact]
    public async Task Backup_BlackHoleEndpoint_GivesUpInOneLine()
    {
        var environment = FaultEnvironment.For(Vault, "x");
        environment["ZTDR_REPOSITORY"] = "s3:https://192.0.2.1:9000/backups/x";
        environment["ZTDR_S3_MAX_RETRIES"] = "1";

        var result = await CliProcess.RunAsync(environment, "snapshots");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("ztdr: storage unavailable: ", Assert.Single(CliProcess.Lines(result.StandardError)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_BadRetryVariable_OneLineUsageError()
    {
        var environment = FaultEnvironment.For(Vault, "x");
        environment["ZTDR_S3_MAX_RETRIES"] = "many";

        var result = await CliProcess.RunAsync(environment, "snapshots");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ZTDR_S3_MAX_RETRIES", Assert.Single(CliProcess.Lines(result.StandardError)), StringComparison.Ordinal);
    }

    private string Source()
    {
        var source = Scratch.Combine("source");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "a.txt"), "some content");
        return source;
    }
}
