using System.Globalization;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Verifying;

/// <summary>
/// Which packs <c>verify --read-data</c> downloads, as restic spells it: everything, a random percentage
/// (<c>10%</c>: a different sample each run, so repeated runs cover the repository), or group <c>n/t</c> (the packs
/// whose id's first byte mod t is n − 1: deterministic, so t runs with n = 1..t read every pack exactly once).
/// </summary>
internal abstract record PackSubset
{
    public static PackSubset All { get; } = new AllPacks();

    /// <summary>Parses "N%" (0 &lt; N ≤ 100, decimals allowed) or "n/t" (1 ≤ n ≤ t); anything else is an <see cref="ArgumentException"/>.</summary>
    public static PackSubset Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.EndsWith('%'))
        {
            if (double.TryParse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent > 0 && percent <= 100)
            {
                return new RandomPercent(percent);
            }

            throw new ArgumentException($"'{text}' is not a percentage of packs to read: give more than 0% and at most 100%.");
        }

        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0
            && int.TryParse(trimmed[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && int.TryParse(trimmed[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var t)
            && n >= 1 && n <= t && t <= 256)
        {
            return new Group(n, t);
        }

        throw new ArgumentException($"'{text}' is not a subset of packs: give a percentage like 10% or a group n/t like 2/5 (1 <= n <= t <= 256).");
    }

    /// <summary>The packs of <paramref name="packs"/> to read; <paramref name="random"/> drives random samples.</summary>
    public abstract IReadOnlyList<ObjectId> Select(IReadOnlyList<ObjectId> packs, Random random);

    private sealed record AllPacks : PackSubset
    {
        public override IReadOnlyList<ObjectId> Select(IReadOnlyList<ObjectId> packs, Random random) => packs;

        public override string ToString() => "all packs";
    }

    /// <summary>A random sample of ceil(count · percent / 100) packs: at least one when there is any.</summary>
    public sealed record RandomPercent(double Percent) : PackSubset
    {
        public override IReadOnlyList<ObjectId> Select(IReadOnlyList<ObjectId> packs, Random random)
        {
            var count = (int)Math.Min(packs.Count, Math.Ceiling(packs.Count * Percent / 100));
            var shuffled = packs.ToArray();
            random.Shuffle(shuffled);
            return shuffled[..count];
        }

        public override string ToString() => Percent.ToString(CultureInfo.InvariantCulture) + "% of packs";
    }

    /// <summary>Group <paramref name="N"/> of <paramref name="Total"/>, by the first byte of the pack id (restic's rule).</summary>
    public sealed record Group(int N, int Total) : PackSubset
    {
        public override IReadOnlyList<ObjectId> Select(IReadOnlyList<ObjectId> packs, Random random) =>
            [.. packs.Where(p => p.ToArray()[0] % Total == N - 1)];

        public override string ToString() => $"pack group {N}/{Total}";
    }
}
