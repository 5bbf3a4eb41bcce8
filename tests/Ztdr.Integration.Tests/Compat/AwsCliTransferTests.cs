using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>aws s3 cp and sync against a real vault: what a user does first, byte-compared both ways.</summary>
public sealed class AwsCliTransferTests : IClassFixture<VaultFixture>
{
    private const string Bucket = VaultProcess.DefaultBucket;
    private readonly VaultFixture _fixture;

    public AwsCliTransferTests(VaultFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Copy_SmallFileUpAndDown_BytesEqual()
    {
        using var temp = new TemporaryDirectory("awscli");
        var cli = new AwsCli(_fixture.Vault);
        var source = temp.Combine("small.bin");
        DirectoryTree.WriteRandomFile(source, 12_345);

        await cli.SucceedAsync("s3", "cp", source, $"s3://{Bucket}/cp/small.bin", "--no-progress");
        await cli.SucceedAsync("s3", "cp", $"s3://{Bucket}/cp/small.bin", temp.Combine("small.down"), "--no-progress");

        Assert.Equal(await File.ReadAllBytesAsync(source), await File.ReadAllBytesAsync(temp.Combine("small.down")));
    }

    [Fact]
    public async Task Copy_100MiBFile_GoesMultipartAndDownloadsSameBytes()
    {
        using var temp = new TemporaryDirectory("awscli");
        var cli = new AwsCli(_fixture.Vault);
        var source = temp.Combine("big.bin");
        DirectoryTree.WriteRandomFile(source, 100L * 1024 * 1024);

        await cli.SucceedAsync("s3", "cp", source, $"s3://{Bucket}/cp/big.bin", "--no-progress");
        var head = await cli.JsonAsync("s3api", "head-object", "--bucket", Bucket, "--key", "cp/big.bin");
        await cli.SucceedAsync("s3", "cp", $"s3://{Bucket}/cp/big.bin", temp.Combine("big.down"), "--no-progress");

        Assert.Equal(100L * 1024 * 1024, head.GetProperty("ContentLength").GetInt64());
        // The CLI's default 8 MiB threshold and part size make 13 parts; a multipart ETag says how many.
        Assert.EndsWith("-13\"", head.GetProperty("ETag").GetString(), StringComparison.Ordinal);
        Assert.Equal(DirectoryTree.Sha256(source), DirectoryTree.Sha256(temp.Combine("big.down")));
    }

    [Fact]
    public async Task Sync_OneFileChanged_OnlyItUploadsAgainAndSyncDownMatches()
    {
        using var temp = new TemporaryDirectory("awscli");
        var cli = new AwsCli(_fixture.Vault);
        var tree = temp.Combine("tree");
        DirectoryTree.Create(tree);
        var target = $"s3://{Bucket}/sync/";

        var first = await cli.SucceedAsync("s3", "sync", tree, target, "--no-progress");
        var unchanged = await cli.SucceedAsync("s3", "sync", tree, target, "--no-progress");
        await File.AppendAllTextAsync(Path.Combine(tree, "a", "x.txt"), "one more line\n");
        var second = await cli.SucceedAsync("s3", "sync", tree, target, "--no-progress");
        await cli.SucceedAsync("s3", "sync", target, temp.Combine("down"), "--no-progress");

        Assert.Equal(DirectoryTree.Files.Length, UploadLines(first.StandardOutput).Count);
        Assert.Empty(UploadLines(unchanged.StandardOutput));
        var again = Assert.Single(UploadLines(second.StandardOutput));
        Assert.EndsWith($"a/x.txt to {target}a/x.txt", again, StringComparison.Ordinal);
        DirectoryTree.AssertEqual(tree, temp.Combine("down"));
    }

    private static List<string> UploadLines(string output) =>
        output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith("upload:", StringComparison.Ordinal))
            .ToList();
}
