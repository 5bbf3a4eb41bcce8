using System.Net;
using System.Net.Sockets;
using Ztdr.Backup.Stores;
using Ztdr.Testing;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>
/// Which S3 answers the store retries, against a scripted HTTP server that answers every request with one error:
/// transient ones (5xx, SlowDown) are retried and then reported as Unavailable; 4xx are reported at once.
/// </summary>
public sealed class S3RetryTests : IDisposable
{
    private const int Retries = 2;
    private readonly TemporaryDirectory _folder = new("s3-retry");

    [Theory]
    [InlineData(503, "SlowDown", StoreErrorKind.Unavailable, Retries + 1)]
    [InlineData(500, "InternalError", StoreErrorKind.Unavailable, Retries + 1)]
    [InlineData(403, "AccessDenied", StoreErrorKind.AccessDenied, 1)]
    [InlineData(404, "NoSuchKey", StoreErrorKind.NotFound, 1)]
    [InlineData(400, "InvalidArgument", StoreErrorKind.Rejected, 1)]
    [InlineData(403, "InvalidAccessKeyId", StoreErrorKind.AccessDenied, 1)]
    [InlineData(403, "SignatureDoesNotMatch", StoreErrorKind.AccessDenied, 1)]
    [InlineData(404, "NoSuchBucket", StoreErrorKind.NotFound, 1)]
    public async Task Get_ServerAnswersError_RetriesOnlyTransient(int status, string code, StoreErrorKind kind, int attempts)
    {
        using var server = new ScriptedS3Server(status, code);
        using var store = CreateStore(server.Endpoint);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("data/x"));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(attempts, server.Requests);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>Pack uploads are what a backup mostly does: the same split between transient and permanent holds there.</summary>
    [Theory]
    [InlineData(503, "SlowDown", StoreErrorKind.Unavailable, Retries + 1)]
    [InlineData(500, "InternalError", StoreErrorKind.Unavailable, Retries + 1)]
    [InlineData(403, "AccessDenied", StoreErrorKind.AccessDenied, 1)]
    [InlineData(403, "InvalidAccessKeyId", StoreErrorKind.AccessDenied, 1)]
    [InlineData(403, "SignatureDoesNotMatch", StoreErrorKind.AccessDenied, 1)]
    [InlineData(404, "NoSuchBucket", StoreErrorKind.NotFound, 1)]
    public async Task PutNew_ServerAnswersError_RetriesOnlyTransient(int status, string code, StoreErrorKind kind, int attempts)
    {
        using var server = new ScriptedS3Server(status, code);
        using var store = CreateStore(server.Endpoint);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutNewAsync("data/x", new byte[1000], DateTimeOffset.UtcNow.AddDays(1)));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(attempts, server.Requests);
        Assert.Contains(code == "NoSuchBucket" ? "bucket 'backups' does not exist" : code, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>A HEAD answer has no body; the store asks again with a one-byte GET so the user learns which 4xx it was.</summary>
    [Theory]
    [InlineData(403, "InvalidAccessKeyId", StoreErrorKind.AccessDenied, "InvalidAccessKeyId")]
    [InlineData(403, "SignatureDoesNotMatch", StoreErrorKind.AccessDenied, "SignatureDoesNotMatch")]
    [InlineData(404, "NoSuchBucket", StoreErrorKind.NotFound, "bucket 'backups' does not exist")]
    public async Task Exists_PermanentError_OneHeadOneGetAndTheCodeInTheMessage(int status, string code, StoreErrorKind kind, string message)
    {
        using var server = new ScriptedS3Server(status, code);
        using var store = CreateStore(server.Endpoint);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.ExistsAsync("config"));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(2, server.Requests);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exists_NoSuchKey_IsFalse()
    {
        using var server = new ScriptedS3Server(404, "NoSuchKey");
        using var store = CreateStore(server.Endpoint);

        Assert.False(await store.ExistsAsync("config"));
    }

    [Fact]
    public async Task Get_NothingListening_RetriesThenThrowsUnavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var store = CreateStore(new Uri($"http://127.0.0.1:{port}/"));

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("data/x"));

        Assert.Equal(StoreErrorKind.Unavailable, error.Kind);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void FromEnvironment_AwsVariables_AreHonoured()
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/creds",
            ["AWS_PROFILE"] = "backup",
            ["AWS_CA_BUNDLE"] = "/ca.crt",
        };

        var options = S3StoreOptions.FromEnvironment(new Uri("https://127.0.0.1:9000"), "backups", "repo/", name => environment.GetValueOrDefault(name));

        Assert.Equal(("/creds", "backup", "/ca.crt", "us-east-1"), (options.CredentialsFile, options.Profile, options.CaBundle, options.Region));
        Assert.Equal((S3StoreOptions.DefaultMaxRetries, TimeSpan.FromSeconds(S3StoreOptions.DefaultConnectTimeoutSeconds)), (options.MaxRetries, options.ConnectTimeout));
    }

    [Fact]
    public void FromEnvironment_RetryVariables_BoundTheGiveUpTime()
    {
        var environment = new Dictionary<string, string> { [S3StoreOptions.MaxRetriesVariable] = "1", [S3StoreOptions.ConnectTimeoutVariable] = "2" };

        var options = S3StoreOptions.FromEnvironment(new Uri("https://127.0.0.1:9000"), "backups", string.Empty, name => environment.GetValueOrDefault(name));

        Assert.Equal((1, TimeSpan.FromSeconds(2)), (options.MaxRetries, options.ConnectTimeout));
    }

    [Theory]
    [InlineData(S3StoreOptions.MaxRetriesVariable, "-1")]
    [InlineData(S3StoreOptions.MaxRetriesVariable, "11")]
    [InlineData(S3StoreOptions.ConnectTimeoutVariable, "0")]
    [InlineData(S3StoreOptions.ConnectTimeoutVariable, "ten")]
    public void FromEnvironment_BadRetryVariable_NamesIt(string variable, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => S3StoreOptions.FromEnvironment(new Uri("https://127.0.0.1:9000"), "backups", string.Empty, name => name == variable ? value : null));

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private S3ObjectStore CreateStore(Uri endpoint)
    {
        var credentials = _folder.Combine("credentials");
        File.WriteAllText(credentials, "[test]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n");
        return new S3ObjectStore(new S3StoreOptions
        {
            Endpoint = endpoint,
            Bucket = "backups",
            CredentialsFile = credentials,
            Profile = "test",
            MaxRetries = Retries,
        });
    }
}
