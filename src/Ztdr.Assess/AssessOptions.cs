namespace Ztdr.Assess;

/// <summary>
/// What to assess and with which keys. Credentials follow the AWS conventions (a shared credentials file and profile
/// names, a CA bundle), exactly as the backup store reads them.
/// </summary>
public sealed record AssessOptions
{
    /// <summary>How long canary objects stay COMPLIANCE-locked: long enough to outlive the probes, short enough to be freed soon.</summary>
    public static readonly TimeSpan DefaultCanaryRetention = TimeSpan.FromMinutes(3);

    public required Uri Endpoint { get; init; }

    public required string Bucket { get; init; }

    public required string CredentialsFile { get; init; }

    /// <summary>
    /// The backup credential's profile: the key whose power to destroy data is assessed. Null takes the backup
    /// credential from the AWS environment in the SDK's order (<see cref="Credentials"/>).
    /// </summary>
    public string? Profile { get; init; }

    /// <summary>Environment keys, AWS_PROFILE and the config file; null uses <see cref="CredentialsFile"/> profiles alone.</summary>
    public Ztdr.Backup.Stores.AwsCredentialChain? Credentials { get; init; }

    /// <summary>An administrative profile to assess as well, or null to skip those probes (reported as not applicable).</summary>
    public string? AdminProfile { get; init; }

    /// <summary>PEM file of the only CAs to trust (AWS_CA_BUNDLE), or null for the system store.</summary>
    public string? CaBundle { get; init; }

    public string Region { get; init; } = "us-east-1";

    public TimeSpan CanaryRetention { get; init; } = DefaultCanaryRetention;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
