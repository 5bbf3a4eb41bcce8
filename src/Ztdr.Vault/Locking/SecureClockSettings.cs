namespace Ztdr.Vault.Locking;

/// <summary>The vault's secure-clock policy.</summary>
public static class SecureClockSettings
{
    /// <summary>How far the wall clock may move against trusted time while serving before it is reported and audited.</summary>
    public static readonly TimeSpan DriftThreshold = TimeSpan.FromMinutes(5);

    /// <summary>How often trusted time is persisted while serving (a crash resumes from at most this much earlier: safe).</summary>
    public static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest downtime the wall clock at start may show without an alert, and the most that request times may be
    /// ahead of trusted time (docs/threat-model.md, "One clock"). A vault down longer is alerted as a jump; its clients
    /// stay within the window only while the downtime is at most this.
    /// </summary>
    public static readonly TimeSpan MaxExplainedDowntime = TimeSpan.FromDays(30);

    /// <summary>
    /// A serving vault appends an audit record at least this often (a checkpoint when idle), so the audit chain witnesses
    /// trusted time and an edited clock file shows as a gap (SecureClock.Unexplained).
    /// </summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromHours(1);
}
