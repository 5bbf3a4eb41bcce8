namespace Ztdr.Vault.Locking;

/// <summary>A retention: the version is protected in <paramref name="Mode"/> while <paramref name="RetainUntil"/> has not passed.</summary>
public sealed record Retention(LockMode Mode, DateTimeOffset RetainUntil);

/// <summary>
/// Lock state of one stored version. LegalHold: null = never set, true = ON, false = OFF (after release).
/// Delete markers never carry lock state and are never protected.
/// </summary>
public sealed record VersionLockState(Retention? Retention, bool? LegalHold, bool IsDeleteMarker)
{
    /// <summary>A plain version: no retention, no legal hold ever set.</summary>
    public static VersionLockState Unlocked { get; } = new(null, null, false);

    public static VersionLockState DeleteMarker { get; } = new(null, null, true);
}

/// <summary>A bucket's default retention: <paramref name="Mode"/> and exactly one of Days or Years.</summary>
public sealed record DefaultRetention(LockMode Mode, int? Days, int? Years);

/// <summary>
/// The trusted time a decision is judged against. Trusted=false means the clock could not be trusted: decisions fail
/// closed (no retention counts as expired, whatever <paramref name="Now"/> says).
/// </summary>
public readonly record struct TrustedInstant(DateTimeOffset Now, bool Trusted);
