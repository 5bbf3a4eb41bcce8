using System.Globalization;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>
/// Compact row notation for the table-driven lock tests, so each row reads like the rule it checks:
/// retention "none" or "MODE offset" (offset from now: "+10d", "-1d", "0", "+1ms", "-0.5ms"), legal hold "never"/"ON"/"OFF".
/// </summary>
internal static class LockSpec
{
    /// <summary>A fixed "now" with no sub-millisecond part.</summary>
    public static readonly DateTimeOffset Now = new(2030, 6, 15, 12, 0, 0, TimeSpan.Zero);

    public const string Allowed = "allowed";

    public static TrustedInstant At(bool trusted) => new(Now, trusted);

    public static Retention? Retention(string spec)
    {
        if (spec == "none")
        {
            return null;
        }

        var parts = spec.Split(' ');
        var mode = parts[0] switch
        {
            "COMPLIANCE" => LockMode.Compliance,
            "GOVERNANCE" => LockMode.Governance,
            _ => throw new ArgumentException($"Unknown mode in '{spec}'."),
        };
        return new Retention(mode, Now + Offset(parts[1]));
    }

    public static bool? LegalHold(string spec) => spec switch
    {
        "never" => null,
        "ON" => true,
        "OFF" => false,
        _ => throw new ArgumentException($"Unknown legal hold '{spec}'."),
    };

    public static VersionLockState State(string retention, string legalHold = "never") => new(Retention(retention), LegalHold(legalHold), false);

    public static TimeSpan Offset(string text)
    {
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], "ms") : (text[..^1], text[^1..]);
        var value = double.Parse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return unit switch
        {
            "ms" => TimeSpan.FromTicks((long)Math.Round(value * TimeSpan.TicksPerMillisecond)),
            "h" => TimeSpan.FromHours(value),
            "d" => TimeSpan.FromDays(value),
            _ => throw new ArgumentException($"Unknown unit in '{text}'."),
        };
    }

    /// <summary>"allowed" for null, else the error code.</summary>
    public static string Outcome(S3.Errors.S3Exception? error) => error is null ? Allowed : error.Error.Code;
}
