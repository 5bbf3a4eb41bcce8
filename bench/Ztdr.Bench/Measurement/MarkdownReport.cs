using System.Globalization;
using System.Text;

namespace Ztdr.Bench.Measurement;

/// <summary>The run's results as Markdown: one table of measurements, one of vault/baseline ratios.</summary>
internal static class MarkdownReport
{
    public static string Results(IEnumerable<Result> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| Measure | Target | Median | Spread (min–max) | Rounds | p50 latency | p99 latency | CPU cores: vault + client |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var latency = r.LatencyMs is { Count: > 0 } l
                ? $"{Format(l.Percentile(50))} ms | {Format(l.Percentile(99))} ms"
                : "– | –";
            var cpu = r.Cpu is { } c ? $"{c.VaultCores:F2} + {c.ClientCores:F2}" : "–";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Measure} | {r.Target} | {Format(r.Rate.Median)} {r.Rate.Unit} | {Format(r.Rate.Min)}–{Format(r.Rate.Max)} | {r.Rate.Count} | {latency} | {cpu} |");
        }

        return text.ToString();
    }

    public static string Ratios(IEnumerable<(string Name, double Value)> ratios)
    {
        var text = new StringBuilder();
        text.AppendLine("| Vault / baseline (medians) | Ratio |");
        text.AppendLine("|---|---:|");
        foreach (var (name, value) in ratios)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value:F2} |");
        }

        return text.ToString();
    }

    private static string Format(double value) => value switch
    {
        double.NaN => "–",
        >= 100 => value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };
}
