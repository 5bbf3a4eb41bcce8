using System.Numerics;

namespace Ztdr.Backup.Chunking;

/// <summary>
/// Minimum, average and maximum chunk size in bytes (repository-format.md § 9.1, § 10). Recorded in the repository's
/// config: a repository keeps the parameters it was created with, or it stops deduplicating against itself.
/// </summary>
internal sealed record ChunkerParameters(int MinSize, int AverageSize, int MaxSize)
{
    /// <summary>Chosen by measurement (repository-format.md § 13).</summary>
    public static ChunkerParameters Default { get; } = new(512 * 1024, 1024 * 1024, 8 * 1024 * 1024);

    /// <summary>log2 of the average size: the number of hash bits a cut needs to be zero, before normalization.</summary>
    public int AverageBits => BitOperations.Log2((uint)AverageSize);

    public void Validate()
    {
        if (AverageSize < 256 || !BitOperations.IsPow2(AverageSize) || AverageBits + 2 > 64)
        {
            throw new ArgumentException($"The average chunk size {AverageSize} must be a power of two of at least 256.");
        }

        if (MinSize < 64 || MinSize >= AverageSize || MaxSize <= AverageSize || MaxSize > 64 * 1024 * 1024)
        {
            throw new ArgumentException($"Chunk sizes must satisfy 64 <= min ({MinSize}) < average ({AverageSize}) < max ({MaxSize}) <= 64 MiB.");
        }
    }
}
