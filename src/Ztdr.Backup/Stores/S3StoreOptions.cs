namespace Ztdr.Backup.Stores;

/// <summary>Where an <see cref="S3ObjectStore"/> lives and how it signs in.</summary>
public sealed record S3StoreOptions
{
    /// <summary>The service URL, e.g. <c>https://127.0.0.1:9000</c>; path-style addressing is used.</summary>
    public required Uri Endpoint { get; init; }

    public required string Bucket { get; init; }

    /// <summary>Key prefix the store lives under ("" or ending in '/'); object names are relative to it.</summary>
    public string Prefix { get; init; } = string.Empty;

    /// <summary>An AWS shared credentials file (the AWS_SHARED_CREDENTIALS_FILE convention).</summary>
    public required string CredentialsFile { get; init; }

    /// <summary>The profile in <see cref="CredentialsFile"/> (the AWS_PROFILE convention).</summary>
    public string Profile { get; init; } = "default";

    /// <summary>PEM file of the only CAs to trust (the AWS_CA_BUNDLE convention); null trusts the system store.</summary>
    public string? CaBundle { get; init; }

    public string Region { get; init; } = "us-east-1";

    /// <summary>Retries after the first attempt for transient errors (5xx, SlowDown, timeouts, network); 4xx never retry.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>
    /// Options from the AWS environment conventions: AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials),
    /// AWS_PROFILE (default "default"), AWS_CA_BUNDLE, AWS_REGION/AWS_DEFAULT_REGION. The variable reader is passed
    /// in so this stays testable and the process environment is read in one place.
    /// </summary>
    public static S3StoreOptions FromEnvironment(Uri endpoint, string bucket, string prefix, Func<string, string?> environment)
    {
        string? Get(string name) => environment(name) is { Length: > 0 } value ? value : null;
        return new S3StoreOptions
        {
            Endpoint = endpoint,
            Bucket = bucket,
            Prefix = prefix,
            CredentialsFile = Get("AWS_SHARED_CREDENTIALS_FILE")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "credentials"),
            Profile = Get("AWS_PROFILE") ?? "default",
            CaBundle = Get("AWS_CA_BUNDLE"),
            Region = Get("AWS_REGION") ?? Get("AWS_DEFAULT_REGION") ?? "us-east-1",
        };
    }
}
