namespace Ztdr.Vault.Locking;

/// <summary>The vault's secure-clock policy.</summary>
public static class SecureClockSettings
{
    /// <summary>How far the wall clock may move against trusted time while serving before it is reported and audited.</summary>
    public static readonly TimeSpan DriftThreshold = TimeSpan.FromMinutes(5);

    /// <summary>How often trusted time is persisted while serving (a crash resumes from at most this much earlier: safe).</summary>
    public static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(10);
}
