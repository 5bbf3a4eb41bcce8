namespace Ztdr.Backup.Crypto;

/// <summary>
/// Argon2id cost parameters, recorded in each key object (repository-format.md § 4). Memory is in KiB.
/// </summary>
public sealed record KdfParameters(int MemoryKiB, int Iterations, int Parallelism)
{
    // Readers refuse more than this: a key object planted by storage must not make the client exhaust memory or spin.
    public const int MaxMemoryKiB = 4 * 1024 * 1024;
    public const int MaxIterations = 100;
    public const int MaxParallelism = 64;

    /// <summary>RFC 9106 § 4, second recommended option: 64 MiB, 3 passes, 4 lanes.</summary>
    public static KdfParameters Default { get; } = new(64 * 1024, 3, 4);

    /// <summary>Throws unless the parameters are ones Argon2id accepts and this reader is willing to spend.</summary>
    public void Validate()
    {
        if (Parallelism is < 1 or > MaxParallelism)
        {
            throw new RepositoryFormatException($"Argon2id parallelism {Parallelism} is outside 1..{MaxParallelism}.");
        }

        if (Iterations is < 1 or > MaxIterations)
        {
            throw new RepositoryFormatException($"Argon2id iterations {Iterations} is outside 1..{MaxIterations}.");
        }

        if (MemoryKiB < 8 * Parallelism || MemoryKiB > MaxMemoryKiB)
        {
            throw new RepositoryFormatException($"Argon2id memory {MemoryKiB} KiB is outside {8 * Parallelism}..{MaxMemoryKiB} KiB.");
        }
    }
}
