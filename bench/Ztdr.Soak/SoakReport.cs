using System.Globalization;
using System.Text;

namespace Ztdr.Soak;

/// <summary>The soak's result as Markdown: one row per operation, then the vault's memory over the run.</summary>
internal static class SoakReport
{
    public static string Markdown(SoakOptions options, TimeSpan elapsed, IReadOnlyDictionary<string, OperationStats> operations, RssSampler rss, int vaultPid)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var total = operations.Values.Sum(o => o.Milliseconds.Count);
        var errors = operations.Values.Sum(o => o.Errors);
        text.AppendLine(inv, $"Soak: {options.Clients} concurrent clients (AWSSDK.S3, HTTPS on loopback, no retries) for {elapsed.TotalSeconds:0} s on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}.");
        text.AppendLine(inv, $"{total:N0} requests succeeded ({total / elapsed.TotalSeconds:N0}/s), {errors} failed.");
        text.AppendLine();
        text.AppendLine("| Operation | Count | Per second | p50 ms | p99 ms | Errors |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, stats) in operations.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var sorted = stats.Milliseconds.Order().ToArray();
            text.AppendLine(inv, $"| {name} | {sorted.Length:N0} | {sorted.Length / elapsed.TotalSeconds:N1} | {Percentile(sorted, 50):N1} | {Percentile(sorted, 99):N1} | {stats.Errors} |");
        }

        var samples = rss.Samples;
        if (samples.Count >= 3)
        {
            var third = samples.Count / 3;
            var first = samples.Take(third).Average() / 1024;
            var last = samples.Skip(samples.Count - third).Average() / 1024;
            text.AppendLine();
            text.AppendLine(inv, $"Vault resident memory (VmRSS, sampled every second, {samples.Count} samples): first third mean {first:N0} MiB, last third mean {last:N0} MiB, max {samples.Max() / 1024.0:N0} MiB; peak (VmHWM) {RssSampler.ReadKib(vaultPid, "VmHWM") / 1024.0:N0} MiB.");
        }

        return text.ToString();
    }

    /// <summary>Nearest rank: a latency some request really had.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
