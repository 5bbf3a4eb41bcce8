using Ztdr.Vault.Management;

namespace Ztdr.Vault.Tests.Management;

/// <summary>The metrics' names, help and values are a contract monitoring rules depend on: frozen here.</summary>
public sealed class MetricsTextTests
{
    [Fact]
    public void Write_ReadOnlyUntrustedVault_GoldenText()
    {
        var health = new HealthReport("degraded", "1.2.3")
        {
            ReadOnly = true,
            ClockTrusted = false,
            ClockDriftExceeded = true,
            WallClockJumpedAtStart = true,
            WallClockAheadSeconds = 3600.5,
            PendingApprovals = 2,
            QuarantinedFiles = 7,
            LastScrubFindings = 3,
            LastScrubFinished = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero),
        };

        Assert.Equal(
            """
            # HELP ztdr_vault_info Version of the serving vault; always 1.
            # TYPE ztdr_vault_info gauge
            ztdr_vault_info{version="1.2.3"} 1
            # HELP ztdr_vault_read_only 1 while the vault refuses every change (no space left to record them); reads are served.
            # TYPE ztdr_vault_read_only gauge
            ztdr_vault_read_only 1
            # HELP ztdr_vault_clock_trusted 1 while retention is judged by a trusted clock; 0 means every lock counts as unexpired until an operator restores trust.
            # TYPE ztdr_vault_clock_trusted gauge
            ztdr_vault_clock_trusted 0
            # HELP ztdr_vault_clock_drift_exceeded 1 when the wall clock moved against trusted time by more than the threshold.
            # TYPE ztdr_vault_clock_drift_exceeded gauge
            ztdr_vault_clock_drift_exceeded 1
            # HELP ztdr_vault_wall_clock_jumped_at_start 1 when at start the wall clock was behind trusted time or further ahead than downtime explains.
            # TYPE ztdr_vault_wall_clock_jumped_at_start gauge
            ztdr_vault_wall_clock_jumped_at_start 1
            # HELP ztdr_vault_wall_clock_ahead_seconds Wall clock minus trusted time (grows with downtime, which never counts toward retention).
            # TYPE ztdr_vault_wall_clock_ahead_seconds gauge
            ztdr_vault_wall_clock_ahead_seconds 3600.5
            # HELP ztdr_vault_pending_approvals Sensitive operations waiting for a second admin key.
            # TYPE ztdr_vault_pending_approvals gauge
            ztdr_vault_pending_approvals 2
            # HELP ztdr_vault_quarantined_files Data files in quarantine/ no version names; run ztdr-vault recover.
            # TYPE ztdr_vault_quarantined_files gauge
            ztdr_vault_quarantined_files 7
            # HELP ztdr_vault_last_scrub_findings Findings of the last finished scrub (damage, tampering); 0 is clean.
            # TYPE ztdr_vault_last_scrub_findings gauge
            ztdr_vault_last_scrub_findings 3
            # HELP ztdr_vault_last_scrub_finished_timestamp_seconds When the last scrub finished (trusted time, Unix seconds).
            # TYPE ztdr_vault_last_scrub_finished_timestamp_seconds gauge
            ztdr_vault_last_scrub_finished_timestamp_seconds 1796644800

            """.ReplaceLineEndings("\n"),
            MetricsText.Write(health));
    }

    [Fact]
    public void Write_HealthyVault_ZerosAndNoScrubLinesBeforeTheFirstScrub()
    {
        var text = MetricsText.Write(new HealthReport("ok", "1") { ReadOnly = false, ClockTrusted = true });

        Assert.Contains("\nztdr_vault_read_only 0\n", text, StringComparison.Ordinal);
        Assert.Contains("\nztdr_vault_clock_trusted 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ztdr_vault_last_scrub", text, StringComparison.Ordinal);
    }
}
