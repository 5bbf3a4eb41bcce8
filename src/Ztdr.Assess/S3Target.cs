using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Ztdr.Backup.Stores;

namespace Ztdr.Assess;

/// <summary>
/// The endpoint as the probes see it: a signed S3 client per profile, and a raw HTTP client for what must go out
/// unsigned (anonymous access) or needs headers the SDK hides (the server's Date). All trust the same CAs.
/// </summary>
internal sealed class S3Target : IDisposable
{
    private readonly AssessOptions _options;
    private readonly CaBundleTrust? _trust;
    private readonly List<IDisposable> _owned = [];

    public S3Target(AssessOptions options)
    {
        _options = options;
        try
        {
            _trust = options.CaBundle is null ? null : new CaBundleTrust(options.CaBundle);
        }
        catch (ArgumentException e)
        {
            throw new AssessException(e.Message, e);
        }

        Http = new HttpClient(CreateHandler()) { Timeout = TimeSpan.FromSeconds(60) };
        _owned.Add(Http);
    }

    /// <summary>Unsigned requests: what anyone on the network can do without a key.</summary>
    public HttpClient Http { get; }

    public Uri Endpoint => _options.Endpoint;

    /// <summary>A client signing with <paramref name="profile"/>, or with the environment's credentials when null.</summary>
    public AmazonS3Client Client(string? profile)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = _options.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = _options.Region,

            // A probe's verdict is the server's first answer; retries would only slow an unreachable endpoint down.
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 1,
            HttpClientFactory = new HandlerHttpClientFactory(CreateHandler),
        };
        var client = new AmazonS3Client(LoadCredentials(profile), config);
        _owned.Add(client);
        return client;
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    /// <summary>The one-line reason a request did not get an S3 answer, for messages that stop the assessment.</summary>
    public static string Describe(Exception e) => e switch
    {
        AmazonS3Exception s3 => $"HTTP {(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}",
        HttpRequestException http => http.InnerException is { } inner && !http.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{http.Message} ({inner.Message})" : http.Message,
        AmazonClientException client when client.InnerException is { } inner => Describe(inner),
        _ => e.Message,
    };

    private SocketsHttpHandler CreateHandler()
    {
        var handler = _trust?.CreateHandler() ?? new SocketsHttpHandler();
        handler.ConnectTimeout = _options.ConnectTimeout;
        handler.AutomaticDecompression = DecompressionMethods.None;
        return handler;
    }

    private AWSCredentials LoadCredentials(string? profile)
    {
        var chain = _options.Credentials ?? new AwsCredentialChain { CredentialsFile = _options.CredentialsFile, ProfileNamed = true };
        if (profile is not null)
        {
            chain = chain with { Profile = profile, ProfileChosen = true, ProfileNamed = true };
        }

        try
        {
            return chain.Resolve();
        }
        catch (ObjectStoreException e)
        {
            throw new AssessException(e.Message, e);
        }
    }
}
