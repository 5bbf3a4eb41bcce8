namespace Ztdr.S3.Xml;

public enum ObjectLockMode
{
    Governance,
    Compliance,
}

public enum LegalHoldStatus
{
    On,
    Off,
}

/// <summary>A bucket's default retention: <see cref="Mode"/> and exactly one of Days or Years.</summary>
public sealed record DefaultRetention(ObjectLockMode Mode, int? Days, int? Years);

/// <summary>
/// ObjectLockConfiguration. ObjectLockEnabled is always <c>Enabled</c> (its only legal value), so it is not a
/// field. A null <see cref="DefaultRetention"/> means no Rule element: no default retention.
/// </summary>
public sealed record ObjectLockConfiguration(DefaultRetention? DefaultRetention);

/// <summary>
/// The Retention shape. Both null is the empty <c>&lt;Retention/&gt;</c> that asks to remove a GOVERNANCE lock;
/// the parser never returns exactly one of them null.
/// </summary>
public sealed record ObjectLockRetention(ObjectLockMode? Mode, DateTimeOffset? RetainUntilDate);

public sealed record ObjectLockLegalHold(LegalHoldStatus Status);
