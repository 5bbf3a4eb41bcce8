using Ztdr.S3.Errors;

namespace Ztdr.Vault.Locking;

/// <summary>
/// The one place that decides whether a mutation of a locked bucket or version is allowed
/// (docs: reference s3-and-object-lock.md §1.6, §1.7). Pure logic over (version state, request, permission, trusted time):
/// callers run a check and the mutation it guards under one transaction, so nothing changes between them.
/// Each Check* returns null when the mutation is allowed, or the exact error to return.
/// </summary>
/// <remarks>
/// Time is compared at millisecond precision, the precision retention dates are stored and sent at.
/// A retention is expired only once its date is strictly before now: at the very millisecond of RetainUntil the version is
/// still protected (as MinIO's <c>!retainUntil.Before(now)</c>). Together with dates being truncated to milliseconds when
/// stored, this means truncation can never end a protection early. An untrusted instant expires nothing.
/// </remarks>
public static class LockEngine
{
    /// <summary>The message AWS sends with a lock denial (s3-tests assert the 403 AccessDenied).</summary>
    public const string ProtectedMessage = "Access Denied because object protected by object lock.";

    public const string RetainUntilNotInFutureMessage = "The retain until date must be in the future!";

    public const string VersioningLockedMessage =
        "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.";

    public const string LockNeedsVersioningMessage = "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration";

    public const string BeyondMaxRetentionMessage = "The retain until date is beyond this bucket's maximum retention of ";

    /// <summary>Legal hold ON, or a retention that has not expired (an untrusted clock expires nothing).</summary>
    public static bool IsProtected(VersionLockState state, TrustedInstant now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.IsDeleteMarker)
        {
            return false;
        }

        return state.LegalHold == true || IsRetained(state.Retention, now);
    }

    /// <summary>
    /// Whether <paramref name="retention"/> still protects at <paramref name="now"/>. With an untrusted clock any retention
    /// counts: an attacker who moved the clock must not be able to expire anything.
    /// </summary>
    public static bool IsRetained(Retention? retention, TrustedInstant now) =>
        retention is not null && (!now.Trusted || Milliseconds(retention.RetainUntil) >= Milliseconds(now.Now));

    /// <summary>
    /// DeleteObject/DeleteObjects with a versionId (§1.7). Order matters: legal hold first, never bypassable, so an expired
    /// retention cannot short-circuit past a hold (the Versity bug); then COMPLIANCE, never bypassable; then GOVERNANCE,
    /// only with the header AND the permission. Delete markers are never protected.
    /// </summary>
    public static S3Exception? CheckDeleteVersion(VersionLockState state, bool bypassRequested, bool bypassPermitted, TrustedInstant now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.IsDeleteMarker)
        {
            return null;
        }

        if (state.LegalHold == true)
        {
            return Protected();
        }

        if (!IsRetained(state.Retention, now))
        {
            return null;
        }

        return state.Retention!.Mode == LockMode.Governance && bypassRequested && bypassPermitted ? null : Protected();
    }

    /// <summary>
    /// PutObjectRetention on an existing version (§1.6). <paramref name="requested"/> null asks to remove the retention
    /// (the empty <c>&lt;Retention/&gt;</c>). A new date must be in the future even where any change is allowed (no or
    /// expired retention). Unexpired COMPLIANCE can only be extended in COMPLIANCE; unexpired GOVERNANCE can be extended
    /// in GOVERNANCE freely, and shortened, removed or switched to COMPLIANCE only with the header AND the permission.
    /// An equal date counts as "not shorter". Legal hold plays no part.
    /// </summary>
    public static S3Exception? CheckPutRetention(
        VersionLockState state, Retention? requested, bool bypassRequested, bool bypassPermitted, TrustedInstant now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.IsDeleteMarker)
        {
            // Delete markers carry no lock state; AWS answers 405 for lock operations on them.
            return new S3Exception(S3Errors.MethodNotAllowed);
        }

        if (requested is not null && !IsInFuture(requested.RetainUntil, now))
        {
            return new S3Exception(S3Errors.InvalidArgument, RetainUntilNotInFutureMessage);
        }

        var current = state.Retention;
        if (!IsRetained(current, now))
        {
            return null;
        }

        var keepsOrExtends = requested is not null
            && requested.Mode == current!.Mode
            && Milliseconds(requested.RetainUntil) >= Milliseconds(current.RetainUntil);
        if (keepsOrExtends)
        {
            return null;
        }

        return current!.Mode == LockMode.Governance && bypassRequested && bypassPermitted ? null : Protected();
    }

    /// <summary>
    /// A PUT into an unversioned or suspended bucket replaces the "null" version in place, destroying it: allowed only when
    /// that version is not protected. There is no bypass: overwriting is never a governance-bypass operation.
    /// </summary>
    public static S3Exception? CheckReplaceNullVersion(VersionLockState existingNullVersion, TrustedInstant now) =>
        IsProtected(existingNullVersion, now) ? Protected() : null;

    /// <summary>PutBucketVersioning: a lock bucket's versioning can never be suspended (§1.1), or lock would stop holding.</summary>
    public static S3Exception? CheckVersioningChange(bool objectLockEnabled, bool enable) =>
        objectLockEnabled && !enable ? new S3Exception(S3Errors.InvalidBucketState, VersioningLockedMessage) : null;

    /// <summary>PutObjectLockConfiguration: only on a bucket whose versioning is Enabled (never unset or Suspended).</summary>
    public static S3Exception? CheckEnableObjectLock(bool versioningEnabled) =>
        versioningEnabled ? null : new S3Exception(S3Errors.InvalidBucketState, LockNeedsVersioningMessage);

    /// <summary>Lock headers of PutObject/CopyObject/CreateMultipartUpload: the date must be in the future.</summary>
    public static S3Exception? CheckNewRetention(Retention requested, TrustedInstant now)
    {
        ArgumentNullException.ThrowIfNull(requested);
        return IsInFuture(requested.RetainUntil, now)
            ? null
            : new S3Exception(S3Errors.InvalidArgument, RetainUntilNotInFutureMessage)
                .With("ArgumentName", LockHeaders.RetainUntilDateHeader)
                .With("ArgumentValue", LockHeaders.FormatDate(requested.RetainUntil));
    }

    /// <summary>
    /// Every retention a version gets (lock headers, the default rule, PutObjectRetention) ends no later than the bucket's
    /// maximum counted from now: the lock-cost attack (a stolen key locking data until 9999) is bounded here, as AWS
    /// bounds it with the <c>s3:object-lock-remaining-retention-days</c> policy condition. Null <paramref name="max"/>:
    /// no maximum. An untrusted clock judges against the wall time it reports (docs/threat-model.md).
    /// </summary>
    public static S3Exception? CheckRetentionLimit(Retention requested, MaxRetention? max, TrustedInstant now)
    {
        ArgumentNullException.ThrowIfNull(requested);
        if (max is null || Milliseconds(requested.RetainUntil) <= Milliseconds(max.LatestFrom(now.Now)))
        {
            return null;
        }

        return new S3Exception(S3Errors.InvalidArgument, BeyondMaxRetentionMessage + max + ".")
            .With("ArgumentName", LockHeaders.RetainUntilDateHeader)
            .With("ArgumentValue", LockHeaders.FormatDate(requested.RetainUntil));
    }

    /// <summary>PutObjectLockConfiguration: a default rule whose retention, applied now, would pass the bucket's maximum.</summary>
    public static S3Exception? CheckDefaultRuleLimit(DefaultRetention? rule, MaxRetention? max, TrustedInstant now) =>
        rule is null ? null : CheckRetentionLimit(ApplyDefault(rule, now.Now)!, max, now);

    /// <summary>
    /// A new version (PutObject, CopyObject, CompleteMultipartUpload) of <paramref name="size"/> bytes with
    /// <paramref name="retention"/>, by a key whose own usage is <paramref name="keyUsage"/>. Checked in this order:
    /// the maximum retention (400 InvalidArgument), write-once names (412 PreconditionFailed: a name that holds a
    /// version, current or hidden behind a delete marker, never gets another, or a stolen key could replace what
    /// clients read with garbage locked for years), then the bucket's and the key's quotas (507 XVaultQuotaExceeded).
    /// </summary>
    public static S3Exception? CheckNewVersion(
        BucketLimits limits, Retention? retention, long size, bool nameHoldsVersion, QuotaUsage bucketUsage, QuotaUsage keyUsage, TrustedInstant now)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (retention is not null && CheckRetentionLimit(retention, limits.MaxRetention, now) is { } beyond)
        {
            return beyond;
        }

        if (limits.WriteOnce && nameHoldsVersion)
        {
            return new S3Exception(S3Errors.WriteOnceName).With("Condition", "write-once");
        }

        if (Exceeds(size, bucketUsage))
        {
            return new S3Exception(S3Errors.QuotaExceeded, QuotaMessage("bucket", bucketUsage));
        }

        return Exceeds(size, keyUsage) ? new S3Exception(S3Errors.QuotaExceeded, QuotaMessage("access key", keyUsage)) : null;
    }

    /// <summary>
    /// The bucket default for a new version written without lock headers. Days are 24-hour UTC days. Years are calendar
    /// years, except that 29 February plus N years lands on 1 March when the target year has no 29 February (as Go's
    /// AddDate in MinIO): .NET's AddYears would clamp to 28 February, a day shorter than asked, and a retention is never
    /// shortened.
    /// </summary>
    /// <exception cref="ArgumentException">The rule does not have exactly one of Days and Years, positive.</exception>
    public static Retention? ApplyDefault(DefaultRetention? rule, DateTimeOffset versionCreated)
    {
        if (rule is null)
        {
            return null;
        }

        var created = versionCreated.ToUniversalTime();
        var until = rule switch
        {
            { Days: > 0 and var days, Years: null } => created.AddDays(days),
            { Days: null, Years: > 0 and var years } => AddCalendarYears(created, years),
            _ => throw new ArgumentException("A default retention has exactly one of Days and Years, and it is positive.", nameof(rule)),
        };
        return new Retention(rule.Mode, until);
    }

    /// <summary>PutObjectLegalHold: placing and releasing are separate permissions; the state of retention does not matter.</summary>
    public static bool CanSetLegalHold(bool on, bool placePermitted, bool releasePermitted) => on ? placePermitted : releasePermitted;

    private static DateTimeOffset AddCalendarYears(DateTimeOffset start, int years)
    {
        var result = start.AddYears(years);
        return start.Month == 2 && start.Day == 29 && result.Day == 28 ? result.AddDays(1) : result;
    }

    /// <summary>A date "in the future" is a later millisecond than now; with an untrusted clock the wall-based now is used.</summary>
    private static bool IsInFuture(DateTimeOffset date, TrustedInstant now) => Milliseconds(date) > Milliseconds(now.Now);

    private static long Milliseconds(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    /// <summary>Zero-byte versions always fit: a quota counts bytes, and a full quota must not block delete markers or empty objects.</summary>
    private static bool Exceeds(long size, QuotaUsage usage) => usage.QuotaBytes is { } quota && size > 0 && usage.UsedBytes + size > quota;

    private static string QuotaMessage(string owner, QuotaUsage usage) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"This upload would exceed the {owner}'s quota of {usage.QuotaBytes} bytes ({usage.UsedBytes} stored); nothing was stored. Reads, listings and retention extensions still work.");

    private static S3Exception Protected() => new(S3Errors.AccessDenied, ProtectedMessage);
}
