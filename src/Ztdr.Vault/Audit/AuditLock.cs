using System.Globalization;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Audit;

/// <summary>What a lock-carrying record says happened to its version's lock (docs/audit-format.md, "Lock state").</summary>
public enum AuditLockChange
{
    /// <summary>The version now has this lock state: it was created locked, or its retention or legal hold changed.</summary>
    Set = 1,

    /// <summary>The version was removed; the state is what the metadata store held for it at that moment.</summary>
    Removed = 2,
}

/// <summary>
/// The <c>lock</c> field of a version 2 record: the lock state a version was left with (or had when it was removed),
/// in one exact spelling so the record keeps one canonical form. Times are Unix milliseconds, as the metadata store keeps
/// them, so the scrubber compares like with like.
/// </summary>
/// <remarks>
/// Grammar: <c>&lt;set|removed&gt; mode=&lt;GOVERNANCE|COMPLIANCE|-&gt; until=&lt;yyyy-MM-ddTHH:mm:ss.fffZ|-&gt; hold=&lt;on|off|-&gt;</c>,
/// then <c> bypass</c> on a removal the governance bypass was asked for and permitted. <c>mode</c> and <c>until</c> are
/// both <c>-</c> or both set.
/// </remarks>
public sealed record AuditLock(AuditLockChange Change, LockMode? Mode, long? RetainUntilMs, bool? LegalHold, bool Bypass = false)
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The retention, if any, at millisecond precision.</summary>
    public Retention? Retention => Mode is { } mode && RetainUntilMs is { } until ? new Retention(mode, DateTimeOffset.FromUnixTimeMilliseconds(until)) : null;

    /// <summary>Whether the state holds anything that protects the version (a retention or a legal hold that is on).</summary>
    public bool Protects => Mode is not null || LegalHold == true;

    /// <summary>The state a version was left in; null for a version that has no lock state at all (nothing to witness).</summary>
    public static AuditLock? Created(VersionLockState state) =>
        state.IsDeleteMarker || (state.Retention is null && state.LegalHold is null) ? null : Changed(state);

    /// <summary>The state after a retention or legal-hold change: always recorded, a removal of retention included.</summary>
    public static AuditLock Changed(VersionLockState state) =>
        new(AuditLockChange.Set, state.Retention?.Mode, state.Retention?.RetainUntil.ToUnixTimeMilliseconds(), state.LegalHold);

    /// <summary>The state a removed version had in the metadata store, and whether the governance bypass was used.</summary>
    public static AuditLock Removed(VersionLockState state, bool bypass) =>
        new(AuditLockChange.Removed, state.Retention?.Mode, state.Retention?.RetainUntil.ToUnixTimeMilliseconds(), state.LegalHold, bypass);

    public override string ToString()
    {
        var change = Change == AuditLockChange.Set ? "set" : "removed";
        var mode = Mode switch
        {
            LockMode.Governance => "GOVERNANCE",
            LockMode.Compliance => "COMPLIANCE",
            null => "-",
            _ => throw new InvalidOperationException($"unknown lock mode {(int)Mode}"),
        };
        var until = RetainUntilMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) : "-";
        var hold = LegalHold switch { true => "on", false => "off", null => "-" };
        return $"{change} mode={mode} until={until} hold={hold}{(Bypass ? " bypass" : string.Empty)}";
    }

    /// <summary>Reads a lock field; only the exact spelling <see cref="ToString"/> produces is accepted.</summary>
    public static bool TryParse(string text, out AuditLock? value)
    {
        value = null;
        var parts = text.Split(' ');
        if (parts.Length is < 4 or > 5 || (parts.Length == 5 && parts[4] != "bypass"))
        {
            return false;
        }

        AuditLockChange? change = parts[0] switch { "set" => AuditLockChange.Set, "removed" => AuditLockChange.Removed, _ => null };
        if (change is null || !parts[1].StartsWith("mode=", StringComparison.Ordinal) || !parts[2].StartsWith("until=", StringComparison.Ordinal)
            || !parts[3].StartsWith("hold=", StringComparison.Ordinal))
        {
            return false;
        }

        LockMode? mode = parts[1][5..] switch { "GOVERNANCE" => LockMode.Governance, "COMPLIANCE" => LockMode.Compliance, _ => null };
        long? until = null;
        var untilText = parts[2][6..];
        if (untilText != "-")
        {
            if (!DateTimeOffset.TryParseExact(untilText, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return false;
            }

            until = parsed.ToUnixTimeMilliseconds();
        }

        bool? hold = parts[3][5..] switch { "on" => true, "off" => false, _ => null };
        var candidate = new AuditLock(change.Value, mode, until, hold, parts.Length == 5);
        if ((mode is null) != (until is null) || (candidate.Bypass && change != AuditLockChange.Removed) || candidate.ToString() != text)
        {
            return false;
        }

        value = candidate;
        return true;
    }
}
