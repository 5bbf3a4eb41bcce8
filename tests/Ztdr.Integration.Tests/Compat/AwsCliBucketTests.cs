using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>aws s3 mb, ls, rm and the s3api versioning calls against a real vault, at the CLI's defaults.</summary>
public sealed class AwsCliBucketTests : IClassFixture<VaultFixture>
{
    private const string Bucket = VaultProcess.DefaultBucket;
    private readonly VaultFixture _fixture;

    public AwsCliBucketTests(VaultFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task MakeBucket_NewName_ListedAndUsable()
    {
        using var temp = new TemporaryDirectory("awscli");
        var cli = new AwsCli(_fixture.Vault);
        var file = temp.Combine("hello.txt");
        await File.WriteAllTextAsync(file, "hello\n");

        await cli.SucceedAsync("s3", "mb", "s3://made-by-cli");
        var buckets = await cli.SucceedAsync("s3", "ls");
        await cli.SucceedAsync("s3", "cp", file, "s3://made-by-cli/hello.txt", "--no-progress");
        var listing = await cli.SucceedAsync("s3", "ls", "s3://made-by-cli");

        Assert.Contains(Lines(buckets.StandardOutput), line => line.EndsWith(" made-by-cli", StringComparison.Ordinal));
        Assert.Contains(Lines(buckets.StandardOutput), line => line.EndsWith(" " + Bucket, StringComparison.Ordinal));
        Assert.Contains(Lines(listing.StandardOutput), line => line.EndsWith(" 6 hello.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_PrefixAndRecursive_ShowsFoldersThenEveryKeyWithSize()
    {
        using var temp = new TemporaryDirectory("awscli");
        var cli = new AwsCli(_fixture.Vault);
        var tree = temp.Combine("tree");
        DirectoryTree.Create(tree);
        await cli.SucceedAsync("s3", "cp", tree, $"s3://{Bucket}/ls/", "--recursive", "--no-progress");

        var folder = await cli.SucceedAsync("s3", "ls", $"s3://{Bucket}/ls/");
        var recursive = await cli.SucceedAsync("s3", "ls", $"s3://{Bucket}/ls/", "--recursive");

        Assert.Equal(
            ["PRE a/", "PRE c/", "PRE d/", "top.txt"],
            Lines(folder.StandardOutput).Select(line => line.StartsWith("PRE ", StringComparison.Ordinal) ? line : line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]));
        var expected = DirectoryTree.Files
            .Select(file => $"{new FileInfo(Path.Combine(tree, file)).Length} ls/{file}")
            .Order(StringComparer.Ordinal);
        // Each line is "date time size key"; keys contain spaces, so cut after the time.
        var actual = Lines(recursive.StandardOutput)
            .Select(line => line.Split(' ', 3)[2].TrimStart())
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Remove_OneKeyThenRecursive_KeysGone()
    {
        using var temp = new TemporaryDirectory("awscli");
        var cli = new AwsCli(_fixture.Vault);
        var tree = temp.Combine("tree");
        DirectoryTree.Create(tree);
        await cli.SucceedAsync("s3", "cp", tree, $"s3://{Bucket}/rm/", "--recursive", "--no-progress");

        await cli.SucceedAsync("s3", "rm", $"s3://{Bucket}/rm/top.txt");
        var afterOne = await cli.JsonAsync("s3api", "list-objects-v2", "--bucket", Bucket, "--prefix", "rm/");
        var recursive = await cli.SucceedAsync("s3", "rm", $"s3://{Bucket}/rm/", "--recursive");
        var afterAll = await cli.JsonAsync("s3api", "list-objects-v2", "--bucket", Bucket, "--prefix", "rm/");

        Assert.Equal(
            DirectoryTree.Files.Where(file => file != "top.txt").Select(file => "rm/" + file).Order(StringComparer.Ordinal),
            afterOne.GetProperty("Contents").EnumerateArray().Select(item => item.GetProperty("Key").GetString()!));
        Assert.Equal(DirectoryTree.Files.Length - 1, Lines(recursive.StandardOutput).Count(line => line.StartsWith("delete: ", StringComparison.Ordinal)));
        Assert.False(afterAll.TryGetProperty("Contents", out _), "keys left after rm --recursive: " + afterAll);
    }

    [Fact]
    public async Task ListObjectVersions_AfterOverwriteAndDelete_ShowsBothVersionsAndLatestDeleteMarker()
    {
        using var temp = new TemporaryDirectory("awscli");
        var cli = new AwsCli(_fixture.Vault);
        var file = temp.Combine("v.txt");
        await File.WriteAllTextAsync(file, "first\n");
        await cli.SucceedAsync("s3", "cp", file, $"s3://{Bucket}/versions/v.txt", "--no-progress");
        await File.WriteAllTextAsync(file, "second, longer\n");
        await cli.SucceedAsync("s3", "cp", file, $"s3://{Bucket}/versions/v.txt", "--no-progress");
        await cli.SucceedAsync("s3", "rm", $"s3://{Bucket}/versions/v.txt");

        var listing = await cli.JsonAsync("s3api", "list-object-versions", "--bucket", Bucket, "--prefix", "versions/");
        var versions = listing.GetProperty("Versions").EnumerateArray().ToList();
        var marker = Assert.Single(listing.GetProperty("DeleteMarkers").EnumerateArray());
        var oldest = versions[^1].GetProperty("VersionId").GetString()!;
        await cli.SucceedAsync("s3api", "get-object", "--bucket", Bucket, "--key", "versions/v.txt", "--version-id", oldest, temp.Combine("old.txt"));
        var current = await cli.RunAsync("s3api", "head-object", "--bucket", Bucket, "--key", "versions/v.txt");

        Assert.Equal([15L, 6L], versions.Select(v => v.GetProperty("Size").GetInt64()));
        Assert.All(versions, v => Assert.Equal("versions/v.txt", v.GetProperty("Key").GetString()));
        Assert.All(versions, v => Assert.False(v.GetProperty("IsLatest").GetBoolean()));
        Assert.Equal(2, versions.Select(v => v.GetProperty("VersionId").GetString()).Distinct().Count());
        Assert.Equal("versions/v.txt", marker.GetProperty("Key").GetString());
        Assert.True(marker.GetProperty("IsLatest").GetBoolean());
        Assert.Equal("first\n", await File.ReadAllTextAsync(temp.Combine("old.txt")));
        Assert.True(current.ExitCode != 0 && current.StandardError.Contains("404", StringComparison.Ordinal), "head after delete: " + current);
    }

    [Fact]
    public async Task BucketVersioning_PutEnabledOnNewBucket_GetReportsEnabled()
    {
        var cli = new AwsCli(_fixture.Vault);
        await cli.SucceedAsync("s3", "mb", "s3://versioning-cli");

        var before = await cli.JsonAsync("s3api", "get-bucket-versioning", "--bucket", "versioning-cli");
        await cli.SucceedAsync("s3api", "put-bucket-versioning", "--bucket", "versioning-cli", "--versioning-configuration", "Status=Enabled");
        var after = await cli.JsonAsync("s3api", "get-bucket-versioning", "--bucket", "versioning-cli");

        Assert.False(before.TryGetProperty("Status", out _), "a never-configured bucket has no versioning Status: " + before);
        Assert.Equal("Enabled", after.GetProperty("Status").GetString());
    }

    private static List<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
}
