using Ztdr.S3.Errors;
using Ztdr.S3.Xml;

namespace Ztdr.Vault.Locking;

/// <summary>
/// The lock request headers of PutObject, CopyObject and CreateMultipartUpload (§1.4), with the errors of §1.5.
/// Parsing needs no time; whether the date is in the future is <see cref="LockEngine.CheckNewRetention"/>'s decision.
/// </summary>
public static class LockHeaders
{
    public const string ModeHeader = "x-amz-object-lock-mode";
    public const string RetainUntilDateHeader = "x-amz-object-lock-retain-until-date";
    public const string LegalHoldHeader = "x-amz-object-lock-legal-hold";
    public const string BypassGovernanceHeader = "x-amz-bypass-governance-retention";

    public const string BothRequiredMessage = "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied";
    public const string UnknownModeMessage = "Unknown wormMode directive.";
    public const string DateFormatMessage = "The retain until date must be provided in ISO 8601 format";
    public const string LegalHoldMessage = "Legal Hold must be either of 'ON' or 'OFF'";

    /// <summary>
    /// Reads the lock headers through <paramref name="header"/> (a case-insensitive lookup returning null when absent; an
    /// empty value counts as absent). Returns the requested retention and legal hold, each null when not asked for.
    /// Mode must be exactly <c>GOVERNANCE</c> or <c>COMPLIANCE</c> and legal hold exactly <c>ON</c> or <c>OFF</c>, as in
    /// XML bodies; the date is ISO-8601 with 0–9 fraction digits and <c>Z</c> or an offset.
    /// </summary>
    /// <exception cref="S3Exception">400 InvalidArgument with the header as ArgumentName.</exception>
    public static (Retention? Retention, bool? LegalHold) Parse(Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var mode = Value(header, ModeHeader);
        var date = Value(header, RetainUntilDateHeader);
        var hold = Value(header, LegalHoldHeader);

        Retention? retention = null;
        if (mode is not null || date is not null)
        {
            if (mode is null || date is null)
            {
                throw Invalid(BothRequiredMessage, mode is null ? ModeHeader : RetainUntilDateHeader, null);
            }

            var lockMode = mode switch
            {
                "GOVERNANCE" => LockMode.Governance,
                "COMPLIANCE" => LockMode.Compliance,
                _ => throw Invalid(UnknownModeMessage, ModeHeader, mode),
            };
            var until = ObjectLockXmlParser.TryParseTimestamp(date) ?? throw Invalid(DateFormatMessage, RetainUntilDateHeader, date);
            retention = new Retention(lockMode, until);
        }

        bool? legalHold = hold switch
        {
            null => null,
            "ON" => true,
            "OFF" => false,
            _ => throw Invalid(LegalHoldMessage, LegalHoldHeader, hold),
        };
        return (retention, legalHold);
    }

    /// <summary>
    /// <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, in the response header and in XML alike (ISO-8601, not RFC 1123). Sub-millisecond
    /// digits are truncated, never rounded up.
    /// </summary>
    public static string FormatDate(DateTimeOffset value) => S3Xml.FormatTimestamp(value);

    private static string? Value(Func<string, string?> header, string name) => header(name) is { Length: > 0 } value ? value : null;

    private static S3Exception Invalid(string message, string argument, string? value)
    {
        var error = new S3Exception(S3Errors.InvalidArgument, message).With("ArgumentName", argument);
        return value is null ? error : error.With("ArgumentValue", value);
    }
}
