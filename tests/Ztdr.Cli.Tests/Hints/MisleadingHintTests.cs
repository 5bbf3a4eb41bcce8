using System.Globalization;
using Amazon.S3.Model;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Hints;

/// <summary>
/// Each mistake a new user makes gets one line naming its cause and its fix, with the ztdr executable against a real
/// ztdr-vault. Before: a bucket typo blamed the credentials profile, a missing CA bundle said "storage unavailable …
/// PartialChain; retried", http:// against HTTPS said "response ended prematurely", init on a bucket without Object
/// Lock gave the raw S3 text, a trailing comma in zones.json gave .NET's parser message, and a restore --include that
/// matched nothing exited 0.
/// </summary>
public sealed class MisleadingHintTests(SharedVault vault) : VaultCliTest("cli-hints", vault), IClassFixture<SharedVault>
{
    [Fact]
    public async Task Init_BucketTypo_NamesTheBucketNameFirst()
    {
        var environment = Repository("s3:https://127.0.0.1:{0}/backupz/typo");

        var line = await OneLineFailureAsync(environment, "init", "--retention", "1d");

        Assert.StartsWith("ztdr: access denied: bucket 'backupz': access denied (AccessDenied", line, StringComparison.Ordinal);
        Assert.EndsWith("check the bucket's name in the repository URL, then that the profile's key may use that bucket", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_NoCaBundle_SaysTheCertificateIsNotTrustedAndWhatToSet()
    {
        var environment = Repository("s3:https://127.0.0.1:{0}/backups/no-ca");
        environment.Remove("AWS_CA_BUNDLE");

        var line = await OneLineFailureAsync(environment, "init", "--retention", "1d");

        Assert.StartsWith("ztdr: storage unavailable: the storage server's TLS certificate is not trusted (", line, StringComparison.Ordinal);
        Assert.EndsWith("set AWS_CA_BUNDLE, or ca_bundle in the AWS config file, to the CA that issued it (for ztdr-vault: the ca.pem its init wrote)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_HttpAgainstHttps_SaysToWriteHttps()
    {
        var environment = Repository("s3:http://127.0.0.1:{0}/backups/http");

        var line = await OneLineFailureAsync(environment, "init", "--retention", "1d");

        Assert.EndsWith("the server closed the connection without an HTTP answer; if the endpoint speaks HTTPS (ztdr-vault does), write s3:https:// in the repository URL", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_BucketWithoutObjectLock_SaysWhatBucketIsNeeded_WritesNothing()
    {
        using var admin = Vault.CreateClient("admin");
        await admin.PutBucketAsync(new PutBucketRequest { BucketName = "nolock" });
        var environment = Repository("s3:https://127.0.0.1:{0}/nolock/repo", VaultProcess.AllRolesProfile);

        var line = await OneLineFailureAsync(environment, "init", "--retention", "1d");

        Assert.Equal("ztdr: rejected by storage: bucket 'nolock' has no Object Lock, and ztdr locks every object it writes: use a bucket created with Object Lock enabled (ztdr-vault init --bucket NAME, or aws s3api create-bucket --object-lock-enabled-for-bucket); nothing was stored", line);
        var listed = await admin.ListVersionsAsync(new ListVersionsRequest { BucketName = "nolock" });
        Assert.Empty(listed.Versions ?? []);
    }

    [Fact]
    public async Task Status_ZoneFileWithTrailingCommaAndComment_IsRead_OtherJsonErrorsNameLineAndColumn()
    {
        var config = Scratch.Combine("config");
        var file = Path.Combine(Directory.CreateDirectory(Path.Combine(config, "ztdr")).FullName, "zones.json");
        var environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = config };
        await File.WriteAllTextAsync(file, $"{{\n  // the only zone\n  \"zones\": [{{\"name\": \"a\", \"repository\": \"{Scratch.Combine("a")}\"}},]\n}}\n");

        var zones = await CliProcess.RunAsync(environment, "zones", "list");

        Assert.True(zones.ExitCode == 0, zones.ToString());
        await File.WriteAllTextAsync(file, "{\n  \"zones\": [{\"name\": \"a\" \"repository\": \"/x\"}]\n}\n");
        var line = await OneLineFailureAsync(environment, 2, "zones", "list");
        Assert.Equal($"ztdr: zone file {file}: not valid JSON at line 2, column 26: '\"' is invalid after a value; fix the file there", line);
    }

    [Fact]
    public async Task Restore_IncludeMatchingNothing_WarnsAndExitsNonZero()
    {
        var environment = Repository("s3:https://127.0.0.1:{0}/backups/include");
        var source = Directory.CreateDirectory(Scratch.Combine("source")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "kept.txt"), "x");
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "backup", source)).ExitCode);

        var restore = await CliProcess.RunAsync(environment, "restore", "latest", "--target", Scratch.Combine("out"), "--include", "/no/such/path", "--include", "kept.txt");

        Assert.Equal(1, restore.ExitCode);
        var warning = Assert.Single(CliProcess.Lines(restore.StandardError), l => !l.StartsWith("progress: ", StringComparison.Ordinal));
        Assert.Matches("^ztdr: warning: --include '/no/such/path' matched nothing in snapshot [0-9a-f]{8} \\(see 'ztdr ls [0-9a-f]{8}' for its paths\\)$", warning);
    }

    private Dictionary<string, string> Repository(string url, string profile = "backup")
    {
        var environment = EnvironmentFor(Vault, "unused", profile);
        environment["ZTDR_REPOSITORY"] = string.Format(CultureInfo.InvariantCulture, url, Vault.Port);
        environment["ZTDR_S3_MAX_RETRIES"] = "0";
        return environment;
    }

    private static Task<string> OneLineFailureAsync(Dictionary<string, string> environment, params string[] args) =>
        OneLineFailureAsync(environment, 1, args);

    private static async Task<string> OneLineFailureAsync(Dictionary<string, string> environment, int exitCode, params string[] args)
    {
        var result = await CliProcess.RunAsync(environment, args);
        Assert.True(result.ExitCode == exitCode, result.ToString());
        return Assert.Single(CliProcess.Lines(result.StandardError));
    }
}
