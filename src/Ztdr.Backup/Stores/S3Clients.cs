using Amazon.Runtime;
using Amazon.S3;

namespace Ztdr.Backup.Stores;

/// <summary>
/// The AWSSDK.S3 client an <see cref="S3ObjectStore"/> talks through: retry mode, checksum policy, CA trust, connect
/// timeout and credentials from the shared credentials file, each chosen for a backup store that must not hang.
/// </summary>
internal static class S3Clients
{
    /// <summary>The SDK's own switch for request checksums; when the user sets it, ztdr leaves the choice to it.</summary>
    private const string ChecksumCalculationVariable = "AWS_REQUEST_CHECKSUM_CALCULATION";

    public static AmazonS3Client Create(S3StoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = options.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,

            // Standard mode retries 5xx, SlowDown/throttling, RequestTimeout and I/O errors with jittered backoff, and
            // never a 4xx: exactly the transient set the port promises to absorb.
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxRetries,
        };
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ChecksumCalculationVariable)))
        {
            // Uploads carry their own Content-MD5 and CRC32 headers (PutAsync), and with a value supplied the SDK streams
            // no trailing checksum in any mode. Only where S3 requires a checksum does the SDK add one on other requests:
            // nothing optional that an older server (Ceph RGW 16) may not parse. A user's explicit choice stands.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
        }

        // Our own handler either way: the connect timeout bounds how long an unreachable endpoint can stall a run.
        var trust = options.CaBundle is null ? null : new CaBundleTrust(options.CaBundle);
        config.HttpClientFactory = new HandlerHttpClientFactory(() =>
        {
            var handler = trust?.CreateHandler() ?? new SocketsHttpHandler();
            handler.ConnectTimeout = options.ConnectTimeout;
            return handler;
        });

        var credentials = options.Credentials ?? new AwsCredentialChain { CredentialsFile = options.CredentialsFile, Profile = options.Profile, ProfileChosen = true, ProfileNamed = true };
        return new AmazonS3Client(credentials.Resolve(), config);
    }
}
