using System.Globalization;

namespace Ztdr.Soak;

/// <summary>
/// Reads the CSV the vault writes when started with <c>ZTDR_VAULT_DIAG=FILE</c> (src/Ztdr.Vault.Host
/// MemoryDiagnostics): one line a second with the managed heap, the GC's committed memory, SQLite's own allocations and
/// the thread-pool size, so the report can split the resident set into managed and native parts.
/// </summary>
internal static class VaultDiagnostics
{
    public const string Variable = "ZTDR_VAULT_DIAG";

    /// <summary>Columns of each sample by name, keeping only samples taken between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, long>> Read(string path, DateTimeOffset from, DateTimeOffset to)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length < 2)
        {
            return [];
        }

        var header = lines[0].Split(',');
        var samples = new List<IReadOnlyDictionary<string, long>>();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length != header.Length)
            {
                continue; // the last line may be torn when the vault stops mid-write
            }

            var sample = header.Zip(cells).ToDictionary(c => c.First, c => long.Parse(c.Second, CultureInfo.InvariantCulture), StringComparer.Ordinal);
            var at = DateTimeOffset.FromUnixTimeMilliseconds(sample["unix_ms"]);
            if (at >= from && at <= to)
            {
                samples.Add(sample);
            }
        }

        return samples;
    }
}
