using System.Globalization;
using System.Text;

namespace Ztdr.Vault.Management;

/// <summary>
/// GET /admin/v1/metrics: the health report as Prometheus text exposition (version 0.0.4), so a monitoring system sees
/// what an operator must act on — read-only after a full disk, an untrusted or jumped clock, tampering or damage found
/// by scrub, files in quarantine, approvals waiting — without parsing JSON. Served where health is: the Unix socket, and
/// the admin listener for admin keys. Names are a contract (frozen by MetricsTextTests).
/// </summary>
internal static class MetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(HealthReport health)
    {
        var text = new StringBuilder();
        Gauge(text, "ztdr_vault_info", "Version of the serving vault; always 1.", 1, $"version=\"{Escape(health.Version)}\"");
        Gauge(text, "ztdr_vault_read_only", "1 while the vault refuses every change (no space left to record them); reads are served.", health.ReadOnly == true ? 1 : 0);
        Gauge(text, "ztdr_vault_clock_trusted", "1 while retention is judged by a trusted clock; 0 means every lock counts as unexpired until an operator restores trust.", health.ClockTrusted == false ? 0 : 1);
        Gauge(text, "ztdr_vault_clock_drift_exceeded", "1 when the wall clock moved against trusted time by more than the threshold.", health.ClockDriftExceeded == true ? 1 : 0);
        Gauge(text, "ztdr_vault_wall_clock_jumped_at_start", "1 when at start the wall clock was behind trusted time or further ahead than downtime explains.", health.WallClockJumpedAtStart == true ? 1 : 0);
        if (health.WallClockAheadSeconds is { } ahead)
        {
            Gauge(text, "ztdr_vault_wall_clock_ahead_seconds", "Wall clock minus trusted time (grows with downtime, which never counts toward retention).", ahead);
        }

        Gauge(text, "ztdr_vault_pending_approvals", "Sensitive operations waiting for a second admin key.", health.PendingApprovals ?? 0);
        Gauge(text, "ztdr_vault_quarantined_files", "Data files in quarantine/ no version names; run ztdr-vault recover.", health.QuarantinedFiles ?? 0);
        if (health.LastScrubFindings is { } findings)
        {
            Gauge(text, "ztdr_vault_last_scrub_findings", "Findings of the last finished scrub (damage, tampering); 0 is clean.", findings);
        }

        if (health.LastScrubFinished is { } finished)
        {
            Gauge(text, "ztdr_vault_last_scrub_finished_timestamp_seconds", "When the last scrub finished (trusted time, Unix seconds).", finished.ToUnixTimeSeconds());
        }

        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, double value, string? labels = null)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        text.Append(name);
        if (labels is not null)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
