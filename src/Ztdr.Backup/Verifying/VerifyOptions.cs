using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Verifying;

/// <summary>What <see cref="Verifier"/> checks beyond structure and lock coverage, and how it reports.</summary>
internal sealed record VerifyOptions
{
    /// <summary>Which packs to download and authenticate blob by blob; null reads none (structure only).</summary>
    public PackSubset? ReadData { get; init; }

    /// <summary>Packs downloaded at once; each is checked as it streams in, holding about one blob (8 MiB at most) in memory.</summary>
    public int Parallelism { get; init; } = 4;

    /// <summary>Retention reads in flight at once: small requests, latency-bound.</summary>
    public int RetentionParallelism { get; init; } = 16;

    /// <summary>Paths kept per finding; the rest are only counted.</summary>
    public int MaxPathsPerFinding { get; init; } = 20;

    /// <summary>Drives <see cref="PackSubset.RandomPercent"/> samples; null uses a fresh random seed.</summary>
    public Random? Random { get; init; }

    /// <summary>
    /// A snapshot this host saw committed that storage no longer holds (a rollback; the caller keeps the memory of what
    /// it saw), reported as a finding with its detail. Null when nothing is missing.
    /// </summary>
    public (ObjectId Id, string Detail)? MissingSnapshot { get; init; }

    /// <summary>Told as the run advances, from any thread (calls are serialized); the caller throttles what it shows.</summary>
    public IProgress<VerifyProgress>? Progress { get; init; }
}

/// <summary>Where a verify run is: its phase, items done of the phase's total (0 when unknown), and bytes downloaded so far.</summary>
internal sealed record VerifyProgress(string Phase, long Done, long Total, long BytesRead);
