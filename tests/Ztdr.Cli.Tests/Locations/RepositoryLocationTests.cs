using Ztdr.Cli.Locations;

namespace Ztdr.Cli.Tests.Locations;

public class RepositoryLocationTests
{
    [Fact]
    public void Parse_S3Https_GivesEndpointBucketAndNoPrefix()
    {
        var location = Assert.IsType<S3Location>(RepositoryLocation.Parse("s3:https://127.0.0.1:9000/backups"));

        Assert.Equal(new Uri("https://127.0.0.1:9000"), location.Endpoint);
        Assert.Equal("backups", location.Bucket);
        Assert.Equal(string.Empty, location.Prefix);
    }

    [Theory]
    [InlineData("s3:https://vault.example:9000/backups/host1", "host1/")]
    [InlineData("s3:https://vault.example:9000/backups/host1/", "host1/")]
    [InlineData("s3:https://vault.example/backups/a/b", "a/b/")]
    public void Parse_S3WithPrefix_PrefixEndsInSlash(string text, string prefix)
    {
        var location = Assert.IsType<S3Location>(RepositoryLocation.Parse(text));

        Assert.Equal("backups", location.Bucket);
        Assert.Equal(prefix, location.Prefix);
    }

    [Theory]
    [InlineData("s3:http://127.0.0.1:9000/backups")]
    [InlineData("s3:http://localhost:9000/backups")]
    [InlineData("s3:http://[::1]:9000/backups")]
    public void Parse_PlainHttpToLoopback_IsAccepted(string text)
    {
        Assert.IsType<S3Location>(RepositoryLocation.Parse(text));
    }

    [Theory]
    [InlineData("s3:http://10.0.0.5:9000/backups", "loopback")]
    [InlineData("s3:http://vault.example/backups", "loopback")]
    [InlineData("s3:https://127.0.0.1:9000", "no bucket")]
    [InlineData("s3:https://127.0.0.1:9000/", "no bucket")]
    [InlineData("s3:backups", "not an http(s) URL")]
    [InlineData("s3:ftp://host/backups", "not an http(s) URL")]
    [InlineData("s3:https://key:secret@host/backups", "no user")]
    [InlineData("s3:https://host/backups?x=1", "no user, query")]
    [InlineData("s3://backups/prefix", "not an http(s) URL")]
    [InlineData("https://host/backups", "unknown kind")]
    [InlineData("", "empty")]
    public void Parse_Malformed_FailsWithOneLineSayingWhy(string text, string reason)
    {
        var error = Assert.Throws<CliException>(() => RepositoryLocation.Parse(text));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Parse_RelativePath_IsAFolderWithFullPath()
    {
        var location = Assert.IsType<FolderLocation>(RepositoryLocation.Parse("some/repo"));

        Assert.Equal(Path.GetFullPath("some/repo"), location.Path);
    }

    [Fact]
    public void Resolve_OptionGiven_WinsOverVariable()
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_REPOSITORY"] = "/from/variable" });

        var location = Assert.IsType<FolderLocation>(RepositoryLocation.Resolve("/from/option", test.Context));

        Assert.Equal("/from/option", location.Path);
    }

    [Fact]
    public void Resolve_OnlyVariable_UsesVariable()
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_REPOSITORY"] = "s3:https://h/b" });

        Assert.IsType<S3Location>(RepositoryLocation.Resolve(null, test.Context));
    }

    [Fact]
    public void Resolve_NeitherGiven_FailsNamingBoth()
    {
        var error = Assert.Throws<CliException>(() => RepositoryLocation.Resolve(null, new TestContext().Context));

        Assert.Contains("--repo", error.Message, StringComparison.Ordinal);
        Assert.Contains("ZTDR_REPOSITORY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenStore_Folder_WarnsOnceThatItIsNotImmutable()
    {
        using var directory = new Testing.TemporaryDirectory("cli-loc");
        var test = new TestContext();

        var store = new FolderLocation(directory.Combine("repo")).OpenStore(test.Context);

        Assert.False(store.Capabilities.Immutable);
        var warning = Assert.Single(test.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ztdr: warning: ", warning, StringComparison.Ordinal);
        Assert.Contains("NOT immutable", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenStore_S3_TakesProfileAndCredentialsFromEnvironment()
    {
        var test = new TestContext(new Dictionary<string, string>
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/does/not/exist",
            ["AWS_PROFILE"] = "backup",
        });

        var error = Assert.Throws<Backup.Stores.ObjectStoreException>(() => RepositoryLocation.Parse("s3:https://127.0.0.1:9/b").OpenStore(test.Context));

        Assert.Equal(Backup.Stores.StoreErrorKind.AccessDenied, error.Kind);
        Assert.Contains("/does/not/exist", error.Message, StringComparison.Ordinal);
    }
}
