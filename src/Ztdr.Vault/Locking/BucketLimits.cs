namespace Ztdr.Vault.Locking;

/// <summary>
/// The longest retention a bucket accepts, counted from the trusted time of the request: exactly one of
/// <paramref name="Days"/> (24-hour UTC days) and <paramref name="Years"/> (calendar years, counted as a default rule's
/// years are), positive. It bounds what a stolen key can lock for ever (the lock-cost attack, docs/threat-model.md).
/// </summary>
public sealed record MaxRetention(int? Days, int? Years)
{
    /// <summary>10 years: what <c>init</c> and CreateBucket give a bucket unless told otherwise.</summary>
    public static MaxRetention Default { get; } = new(null, 10);

    /// <summary>The latest retain-until date allowed for a request judged at <paramref name="now"/>.</summary>
    /// <exception cref="ArgumentException">Not exactly one of Days and Years, positive.</exception>
    public DateTimeOffset LatestFrom(DateTimeOffset now) =>
        LockEngine.ApplyDefault(new DefaultRetention(LockMode.Compliance, Days, Years), now)!.RetainUntil;

    /// <summary>"30d" or "10y", as the CLI takes it.</summary>
    public override string ToString() => Days is { } days
        ? days.ToString(System.Globalization.CultureInfo.InvariantCulture) + "d"
        : Years.GetValueOrDefault().ToString(System.Globalization.CultureInfo.InvariantCulture) + "y";
}

/// <summary>
/// What the lock engine holds a new version or a retention change to, besides the lock rules themselves.
/// <paramref name="MaxRetention"/> null: no maximum (buckets from before schema version 3). <paramref name="WriteOnce"/>:
/// a name that holds a version never gets another. <paramref name="QuotaBytes"/> null: no quota.
/// </summary>
public sealed record BucketLimits(MaxRetention? MaxRetention, bool WriteOnce, long? QuotaBytes)
{
    /// <summary>No limit at all: how every bucket behaved before schema version 3.</summary>
    public static BucketLimits None { get; } = new(null, false, null);
}

/// <summary>
/// Bytes stored against one quota and the quota itself (null: none). Stored bytes, not only bytes still locked:
/// counting those would need the moving trusted time and a scan per write, and stored bytes are never fewer.
/// </summary>
public readonly record struct QuotaUsage(long UsedBytes, long? QuotaBytes);
