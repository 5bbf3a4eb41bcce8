namespace Ztdr.Backup.Crypto;

/// <summary>
/// Argon2id cost parameters, recorded in each key object (repository-format.md § 4). Memory is in KiB.
/// </summary>
public sealed record KdfParameters(int MemoryKiB, int Iterations, int Parallelism)
{
    // Readers refuse more than this, and init and key add never create more (both validate): a key object planted in
    // keys/ by whoever holds the backup key must not make every command spend gigabytes or minutes (repository-format.md
    // § 4). The default is a quarter of the memory cap, so a user's key never comes near it.
    public const int MaxMemoryKiB = 256 * 1024;
    public const int MaxIterations = 10;
    public const int MaxParallelism = 16;

    /// <summary>The most work one key object can cost: <see cref="Cost"/> at the caps.</summary>
    public const long MaxCost = (long)MaxMemoryKiB * MaxIterations;

    /// <summary>
    /// 64 MiB, 3 passes, 1 lane: the memory and passes of RFC 9106 § 4's second recommended option, so a guess costs an
    /// attacker the same, on one lane as in all of OWASP's Argon2id configurations. Lanes only let the defender spread the
    /// work over cores; one lane is what libsodium computes, natively, in about a third of the CPU of the managed code
    /// that more lanes need (PasswordKdf, issue 14). Keys made before 2026-12 have 4 lanes and still open.
    /// </summary>
    public static KdfParameters Default { get; } = new(64 * 1024, 3, 1);

    /// <summary>The work one derivation costs, in KiB-passes (memory × passes): what opening with this key spends.</summary>
    public long Cost => (long)MemoryKiB * Iterations;

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
