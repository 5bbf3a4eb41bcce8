using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>aws s3 presign, then a plain curl with only the vault's CA: the URL alone must authorize the GET.</summary>
public sealed class AwsCliPresignTests : IClassFixture<VaultFixture>
{
    private const string Bucket = VaultProcess.DefaultBucket;
    private readonly VaultFixture _fixture;

    public AwsCliPresignTests(VaultFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Presign_ThenCurl_ReturnsObjectBytes()
    {
        using var temp = new TemporaryDirectory("presign");
        var cli = PresigningCli(temp);
        var source = temp.Combine("object.bin");
        DirectoryTree.WriteRandomFile(source, 70_000);
        await cli.SucceedAsync("s3", "cp", source, $"s3://{Bucket}/presign/object with space.bin", "--no-progress");

        var url = (await cli.SucceedAsync("s3", "presign", $"s3://{Bucket}/presign/object with space.bin")).StandardOutput.Trim();
        var curl = await Curl(temp, url, temp.Combine("download.bin"));

        Assert.True(curl.StandardOutput == "200", "curl " + url + "\n" + curl);
        Assert.Equal(await File.ReadAllBytesAsync(source), await File.ReadAllBytesAsync(temp.Combine("download.bin")));
    }

    [Fact]
    public async Task Presign_Expired_CurlGetsAccessDenied()
    {
        using var temp = new TemporaryDirectory("presign");
        var cli = PresigningCli(temp);
        var source = temp.Combine("object.bin");
        DirectoryTree.WriteRandomFile(source, 1_000);
        await cli.SucceedAsync("s3", "cp", source, $"s3://{Bucket}/presign/expiring.bin", "--no-progress");

        var url = (await cli.SucceedAsync("s3", "presign", $"s3://{Bucket}/presign/expiring.bin", "--expires-in", "1")).StandardOutput.Trim();
        // The vault reads the real clock, so expiry can only be observed by waiting past it (whole seconds on the wire).
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var curl = await Curl(temp, url, temp.Combine("error.xml"));

        var body = await File.ReadAllTextAsync(temp.Combine("error.xml"));
        Assert.True(curl.StandardOutput == "403", "curl " + url + "\n" + curl + "\n" + body);
        Assert.Contains("<Code>AccessDenied</Code>", body, StringComparison.Ordinal);
    }

    /// <summary>
    /// aws CLI v1 (and boto3) presign with Signature Version 2 when the region is us-east-1 and no signature version is
    /// configured; v2 of the CLI only signs with SigV4. The vault, like S3 for every bucket made since 2020, accepts
    /// only SigV4, so this sets the one setting AWS's own documentation tells v1 users to set
    /// (s3.signature_version = s3v4). Every other aws CLI test runs with no config file at all.
    /// </summary>
    private AwsCli PresigningCli(TemporaryDirectory temp)
    {
        var config = temp.Combine("aws-config");
        File.WriteAllText(config, $"[profile {VaultProcess.AllRolesProfile}]\ns3 =\n    signature_version = s3v4\n");
        return new AwsCli(_fixture.Vault, new Dictionary<string, string> { ["AWS_CONFIG_FILE"] = config });
    }

    private Task<ProcessResult> Curl(TemporaryDirectory temp, string url, string output) =>
        InstalledTool.Require("curl", _fixture.Vault).RunAsync(
            ["--silent", "--show-error", "--cacert", _fixture.Vault.CaBundle, "--output", output, "--write-out", "%{http_code}", url],
            new Dictionary<string, string>(),
            temp.Path);
}
