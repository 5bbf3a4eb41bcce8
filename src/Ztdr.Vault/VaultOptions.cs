namespace Ztdr.Vault;

/// <summary>How the S3 data plane presents itself. Defaults are the hardened ones.</summary>
public sealed class VaultOptions
{
    /// <summary>Regions accepted in SigV4 credential scopes; us-east-1 is always accepted (clients default to it).</summary>
    public IReadOnlyCollection<string> Regions { get; init; } = ["us-east-1"];

    /// <summary>The region reported by GetBucketLocation and HeadBucket.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Host names under which bucket.name virtual-hosted addressing is recognised.</summary>
    public IReadOnlyCollection<string> BaseDomains { get; init; } = ["localhost"];

    /// <summary>Most new object bytes per second each access key may write (<c>serve --key-write-rate</c>); null: unlimited.</summary>
    public long? KeyWriteRateBytesPerSecond { get; init; }

    /// <summary>Largest single PUT or part (S3's limit).</summary>
    public long MaxObjectSize { get; init; } = 5L * 1024 * 1024 * 1024;

    /// <summary>Serve Veeam's SOSAPI system.xml/capacity.xml in every bucket.</summary>
    public bool SmartObjectStorageApi { get; init; } = true;
}
