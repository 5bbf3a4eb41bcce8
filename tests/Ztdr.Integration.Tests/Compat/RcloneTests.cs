using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>
/// rclone configured only as a user points it at any S3 (provider Other, keys, endpoint, --ca-cert), no quirk flags.
/// </summary>
public sealed class RcloneTests : IClassFixture<VaultFixture>
{
    private const string Remote = "vault:" + VaultProcess.DefaultBucket + "/rclone";
    private readonly VaultFixture _fixture;

    public RcloneTests(VaultFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Rclone_CopyCheckListCatDelete_TreeRoundTrips()
    {
        using var temp = new TemporaryDirectory("rclone");
        var tree = temp.Combine("tree");
        DirectoryTree.Create(tree);
        await File.WriteAllTextAsync(Path.Combine(tree, "notes.txt"), "plain text for rclone cat\n");
        var rclone = InstalledTool.Require("rclone", _fixture.Vault);
        var environment = Environment(temp);
        string[] ca = ["--ca-cert", _fixture.Vault.CaBundle];

        await rclone.SucceedAsync(["copy", tree, Remote, .. ca], environment);
        var check = await rclone.SucceedAsync(["check", tree, Remote, .. ca], environment);
        var listing = await rclone.SucceedAsync(["lsf", "--recursive", "--files-only", Remote, .. ca], environment);
        var cat = await rclone.SucceedAsync(["cat", Remote + "/notes.txt", .. ca], environment);
        await rclone.SucceedAsync(["copy", Remote, temp.Combine("down"), .. ca], environment);
        await rclone.SucceedAsync(["delete", Remote, .. ca], environment);
        var afterDelete = await rclone.SucceedAsync(["lsf", "--recursive", Remote, .. ca], environment);

        Assert.Contains("0 differences found", check.StandardError, StringComparison.Ordinal);
        Assert.Contains($"{DirectoryTree.Files.Length + 1} matching files", check.StandardError, StringComparison.Ordinal);
        Assert.Equal(
            DirectoryTree.Files.Append("notes.txt").Order(StringComparer.Ordinal),
            listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal("plain text for rclone cat\n", cat.StandardOutput);
        DirectoryTree.AssertEqual(tree, temp.Combine("down"));
        Assert.Equal(string.Empty, afterDelete.StandardOutput);
    }

    private Dictionary<string, string> Environment(TemporaryDirectory temp)
    {
        var (id, secret) = _fixture.Vault.Credentials();
        var config = temp.Combine("rclone.conf");
        File.WriteAllText(config, string.Empty);
        return new Dictionary<string, string>
        {
            ["RCLONE_CONFIG"] = config,
            ["RCLONE_CONFIG_VAULT_TYPE"] = "s3",
            ["RCLONE_CONFIG_VAULT_PROVIDER"] = "Other",
            ["RCLONE_CONFIG_VAULT_ACCESS_KEY_ID"] = id,
            ["RCLONE_CONFIG_VAULT_SECRET_ACCESS_KEY"] = secret,
            ["RCLONE_CONFIG_VAULT_ENDPOINT"] = _fixture.Vault.Endpoint,
            // rclone's AWS SDK fails outright ("unable to load custom CA bundle") when AWS_CA_BUNDLE is set, so one
            // inherited from the test runner's environment is blanked; --ca-cert is rclone's own way to trust the CA.
            ["AWS_CA_BUNDLE"] = string.Empty,
        };
    }
}
