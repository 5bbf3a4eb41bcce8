namespace Ztdr.Backup.Stores;

/// <summary>S3 Object Lock retention modes. The engine writes only <see cref="Compliance"/>.</summary>
public enum RetentionMode
{
    /// <summary>Nobody can delete the object or shorten its retention until it expires.</summary>
    Compliance = 1,

    /// <summary>A caller with bypass permission can delete or shorten; found on objects other tools wrote.</summary>
    Governance = 2,
}

/// <summary>An object's retention: locked in <see cref="Mode"/> until <see cref="RetainUntil"/> (UTC).</summary>
public sealed record ObjectRetention(RetentionMode Mode, DateTimeOffset RetainUntil)
{
    /// <summary>Whether the lock still protects the object at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => RetainUntil > now;

    /// <summary>Whether this already satisfies "COMPLIANCE until at least <paramref name="retainUntil"/>".</summary>
    public bool Covers(DateTimeOffset retainUntil) => Mode == RetentionMode.Compliance && RetainUntil >= retainUntil;
}
