using System.Globalization;
using System.Text;

namespace Ztdr.Soak;

/// <summary>The soak's result as Markdown: one row per operation, then the vault's memory over the run.</summary>
internal static class SoakReport
{
    /// <summary>
    /// The flatness criterion: the last third's mean resident set may exceed the middle third's by at most this
    /// fraction. The first third is left out because it holds the warm-up (JIT, pools and caches filling), which is
    /// expected growth; what must not happen is growth that continues once the load is steady.
    /// </summary>
    public const double FlatBound = 0.10;

    public static (string Markdown, bool Flat) Build(
        SoakOptions options,
        TimeSpan elapsed,
        IReadOnlyDictionary<string, OperationStats> operations,
        RssSampler rss,
        int vaultPid,
        IReadOnlyList<IReadOnlyDictionary<string, long>> diagnostics)
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
        if (samples.Count < 3)
        {
            text.AppendLine();
            text.AppendLine("RSS flat: no (fewer than 3 samples; run longer)");
            return (text.ToString(), false);
        }

        text.AppendLine();
        text.AppendLine(inv, $"Vault memory, one sample a second ({samples.Count} samples), MiB:");
        text.AppendLine();
        text.AppendLine("| Measure | First third mean | Middle third mean | Last third mean | Max |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        var rssThirds = Thirds(samples.Select(kib => kib / 1024.0).ToList());
        Row(text, "VmRSS", rssThirds);
        Row(text, "managed heap (GC, after last collection)", Column(diagnostics, "gc_heap"));
        Row(text, "GC committed", Column(diagnostics, "gc_committed"));
        Row(text, "SQLite allocations (sqlite3_memory_used)", Column(diagnostics, "sqlite_used"));
        if (diagnostics.Count >= 3)
        {
            var threads = Thirds(diagnostics.Select(d => (double)d["threadpool_threads"]).ToList());
            text.AppendLine(inv, $"| thread-pool threads (count) | {threads.First:N0} | {threads.Middle:N0} | {threads.Last:N0} | {threads.Max:N0} |");
            text.AppendLine();
            text.AppendLine(inv, $"Full (gen2) collections during the run: {diagnostics[^1]["gc_gen2_count"] - diagnostics[0]["gc_gen2_count"]}.");
        }

        text.AppendLine();
        text.AppendLine(inv, $"Peak (VmHWM) {RssSampler.ReadKib(vaultPid, "VmHWM") / 1024.0:N0} MiB.");
        var growth = (rssThirds.Last - rssThirds.Middle) / rssThirds.Middle;
        var flat = growth <= FlatBound;
        text.AppendLine(inv, $"RSS flat: {(flat ? "yes" : "no")} (last third mean {rssThirds.Last:N0} MiB is {growth:+0.0%;-0.0%} of the middle third's {rssThirds.Middle:N0} MiB; bound +{FlatBound:0%}; max {rssThirds.Max:N0} MiB)");
        return (text.ToString(), flat);
    }

    private static (double First, double Middle, double Last, double Max)? Column(IReadOnlyList<IReadOnlyDictionary<string, long>> diagnostics, string name) =>
        diagnostics.Count < 3 ? null : Thirds(diagnostics.Select(d => d[name] / 1048576.0).ToList());

    private static (double First, double Middle, double Last, double Max) Thirds(List<double> values)
    {
        var third = values.Count / 3;
        return (values.Take(third).Average(), values.Skip(third).Take(values.Count - 2 * third).Average(), values.Skip(values.Count - third).Average(), values.Max());
    }

    private static void Row(StringBuilder text, string name, (double First, double Middle, double Last, double Max)? thirds)
    {
        if (thirds is { } t)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {t.First:N0} | {t.Middle:N0} | {t.Last:N0} | {t.Max:N0} |");
        }
    }

    /// <summary>Nearest rank: a latency some request really had.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
