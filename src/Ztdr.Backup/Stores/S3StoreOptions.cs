namespace Ztdr.Backup.Stores;

/// <summary>Where an <see cref="S3ObjectStore"/> lives and how it signs in.</summary>
public sealed record S3StoreOptions
{
    public const int DefaultMaxRetries = 4;

    public const int DefaultConnectTimeoutSeconds = 10;

    /// <summary>Overrides <see cref="MaxRetries"/>: a whole number 0..10.</summary>
    public const string MaxRetriesVariable = "ZTDR_S3_MAX_RETRIES";

    /// <summary>Overrides <see cref="ConnectTimeout"/>: whole seconds, 1..600.</summary>
    public const string ConnectTimeoutVariable = "ZTDR_S3_CONNECT_TIMEOUT";

    /// <summary>The service URL, e.g. <c>https://127.0.0.1:9000</c>; path-style addressing is used.</summary>
    public required Uri Endpoint { get; init; }

    public required string Bucket { get; init; }

    /// <summary>Key prefix the store lives under ("" or ending in '/'); object names are relative to it.</summary>
    public string Prefix { get; init; } = string.Empty;

    /// <summary>An AWS shared credentials file (the AWS_SHARED_CREDENTIALS_FILE convention).</summary>
    public required string CredentialsFile { get; init; }

    /// <summary>The profile in <see cref="CredentialsFile"/> (the AWS_PROFILE convention).</summary>
    public string Profile { get; init; } = "default";

    /// <summary>
    /// Where the credentials come from in the AWS order (<see cref="AwsCredentialChain"/>); null signs with
    /// <see cref="Profile"/> from <see cref="CredentialsFile"/> alone, as a caller that names both means.
    /// </summary>
    public AwsCredentialChain? Credentials { get; init; }

    /// <summary>PEM file of the only CAs to trust (the AWS_CA_BUNDLE convention); null trusts the system store.</summary>
    public string? CaBundle { get; init; }

    public string Region { get; init; } = "us-east-1";

    /// <summary>Retries after the first attempt for transient errors (5xx, SlowDown, timeouts, network); 4xx never retry.</summary>
    public int MaxRetries { get; init; } = DefaultMaxRetries;

    /// <summary>
    /// How long one attempt may take to open a connection. Bounds the time to give up on an endpoint that drops
    /// packets (a refused connection fails at once): at most (1 + <see cref="MaxRetries"/>) × this, plus the backoff
    /// between attempts (jittered, at most 1 + 2 + 4 + 8 s for the default four retries).
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(DefaultConnectTimeoutSeconds);

    /// <summary>
    /// Options from the AWS environment conventions: credentials in the SDK's order (<see cref="AwsCredentialChain"/>:
    /// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_PROFILE in AWS_SHARED_CREDENTIALS_FILE and
    /// AWS_CONFIG_FILE, then web identity, container and instance credentials), AWS_CA_BUNDLE (else the profile's
    /// <c>ca_bundle</c> in the config file), AWS_REGION/AWS_DEFAULT_REGION, and ztdr's own
    /// <see cref="MaxRetriesVariable"/> and <see cref="ConnectTimeoutVariable"/>. The variable reader is passed in so
    /// this stays testable and the process environment is read in one place.
    /// </summary>
    public static S3StoreOptions FromEnvironment(Uri endpoint, string bucket, string prefix, Func<string, string?> environment)
    {
        string? Get(string name) => environment(name) is { Length: > 0 } value ? value : null;
        var credentials = AwsCredentialChain.FromEnvironment(environment);
        return new S3StoreOptions
        {
            Endpoint = endpoint,
            Bucket = bucket,
            Prefix = prefix,
            CredentialsFile = credentials.CredentialsFile,
            Profile = credentials.Profile,
            Credentials = credentials,
            CaBundle = Get("AWS_CA_BUNDLE") ?? credentials.ConfigSetting("ca_bundle"),
            Region = Get("AWS_REGION") ?? Get("AWS_DEFAULT_REGION") ?? credentials.ConfigSetting("region") ?? "us-east-1",
            MaxRetries = WholeNumber(MaxRetriesVariable, Get(MaxRetriesVariable), 0, 10) ?? DefaultMaxRetries,
            ConnectTimeout = TimeSpan.FromSeconds(WholeNumber(ConnectTimeoutVariable, Get(ConnectTimeoutVariable), 1, 600) ?? DefaultConnectTimeoutSeconds),
        };
    }

    private static int? WholeNumber(string variable, string? text, int min, int max)
    {
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{variable}='{text}' is not a whole number from {min} to {max}");
    }
}
