using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>restic's s3 backend (minio-go) against a real vault: the whole backup life, verified by reading every pack.</summary>
public sealed class ResticTests : IClassFixture<VaultFixture>
{
    private readonly VaultFixture _fixture;

    public ResticTests(VaultFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Restic_InitBackupSnapshotsRestoreCheck_RestoresSameBytes()
    {
        using var temp = new TemporaryDirectory("restic");
        var tree = temp.Combine("tree");
        DirectoryTree.Create(tree);
        DirectoryTree.WriteRandomFile(Path.Combine(tree, "a", "large.bin"), 6 * 1024 * 1024);
        var restic = InstalledTool.Require("restic", _fixture.Vault);
        var environment = Environment(temp);
        string[] ca = ["--cacert", _fixture.Vault.CaBundle];

        await restic.SucceedAsync(["init", .. ca], environment);
        await restic.SucceedAsync(["backup", "tree", .. ca], environment, temp.Path);
        var snapshots = await restic.SucceedAsync(["snapshots", "--json", .. ca], environment);
        await restic.SucceedAsync(["restore", "latest", "--target", temp.Combine("restored"), .. ca], environment);
        var check = await restic.SucceedAsync(["check", "--read-data", .. ca], environment);

        using var json = System.Text.Json.JsonDocument.Parse(snapshots.StandardOutput);
        var snapshot = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(tree, snapshot.GetProperty("paths")[0].GetString());
        // restic 0.14 restores a single backed-up folder under its own name inside the target.
        DirectoryTree.AssertEqual(tree, temp.Combine("restored", "tree"));
        Assert.Contains("no errors were found", check.StandardOutput, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Environment(TemporaryDirectory temp)
    {
        var (id, secret) = _fixture.Vault.Credentials("backup");
        return new Dictionary<string, string>
        {
            ["RESTIC_REPOSITORY"] = $"s3:{_fixture.Vault.Endpoint}/{VaultProcess.DefaultBucket}/restic",
            ["RESTIC_PASSWORD"] = "compat-test-password",
            ["RESTIC_CACHE_DIR"] = temp.Combine("cache"),
            ["AWS_ACCESS_KEY_ID"] = id,
            ["AWS_SECRET_ACCESS_KEY"] = secret,
        };
    }
}
