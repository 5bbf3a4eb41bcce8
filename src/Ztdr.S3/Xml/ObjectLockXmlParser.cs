using System.Globalization;
using System.Text.RegularExpressions;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Xml;

/// <summary>
/// Parses ObjectLockConfiguration, Retention and LegalHold with the error codes s3-tests asserts: bad modes,
/// statuses and structure are MalformedXML (MinIO's InvalidArgument is deliberately not copied).
/// </summary>
public static partial class ObjectLockXmlParser
{
    /// <summary>Days and Years upper bounds AWS enforces (as measured by MinIO and Versity).</summary>
    public const int MaxDays = 36500;

    public const int MaxYears = 100;

    /// <summary>
    /// s3-tests and RGW expect this code for a zero or negative default period. Kept here until the error catalog
    /// (Ztdr.S3.Errors) gains it; move it there then.
    /// </summary>
    public static readonly S3Error InvalidRetentionPeriod =
        new("InvalidRetentionPeriod", 400, "The retention period must be a positive integer number of days or years.");

    public static async ValueTask<ObjectLockConfiguration> ParseObjectLockConfigurationAsync(
        Stream body, int maxBytes = S3Xml.DefaultMaxBodyBytes, CancellationToken cancellationToken = default) =>
        ParseObjectLockConfiguration(await XmlBody.ReadCappedAsync(body, maxBytes, cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>
    /// ObjectLockEnabled must be exactly <c>Enabled</c>. A Rule needs a DefaultRetention with a Mode and exactly one
    /// of Days or Years; a period of zero or less is <see cref="InvalidRetentionPeriod"/>, one past the limits InvalidArgument.
    /// </summary>
    public static ObjectLockConfiguration ParseObjectLockConfiguration(ReadOnlyMemory<byte> body, int maxBytes = S3Xml.DefaultMaxBodyBytes)
    {
        var root = XmlBody.Load(body, "ObjectLockConfiguration", maxBytes);
        if (XmlBody.OptionalText(root, "ObjectLockEnabled") != "Enabled")
        {
            throw XmlBody.Malformed();
        }

        if (XmlBody.Single(root, "Rule") is not { } rule)
        {
            return new(null);
        }

        var retention = XmlBody.Single(rule, "DefaultRetention") ?? throw XmlBody.Malformed();
        var mode = ParseMode(XmlBody.OptionalText(retention, "Mode"));
        var days = XmlBody.OptionalText(retention, "Days") is { } d ? XmlBody.ParseInt(d) : (int?)null;
        var years = XmlBody.OptionalText(retention, "Years") is { } y ? XmlBody.ParseInt(y) : (int?)null;
        if (days.HasValue == years.HasValue)
        {
            throw XmlBody.Malformed();
        }

        var period = days ?? years!.Value;
        if (period <= 0)
        {
            throw new S3Exception(InvalidRetentionPeriod);
        }

        if (period > (days.HasValue ? MaxDays : MaxYears))
        {
            throw new S3Exception(S3Errors.InvalidArgument, "Default retention period too large.");
        }

        return new(new DefaultRetention(mode, days, years));
    }

    public static async ValueTask<ObjectLockRetention> ParseRetentionAsync(
        Stream body, int maxBytes = S3Xml.DefaultMaxBodyBytes, CancellationToken cancellationToken = default) =>
        ParseRetention(await XmlBody.ReadCappedAsync(body, maxBytes, cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>
    /// Mode and RetainUntilDate come together or not at all (an empty Retention asks to remove a GOVERNANCE lock;
    /// whether that is allowed is the vault's decision). The date is ISO-8601 with 0–9 fraction digits and Z or
    /// ±hh:mm, returned in UTC; that it lies in the future is checked by the vault against its secure clock.
    /// </summary>
    public static ObjectLockRetention ParseRetention(ReadOnlyMemory<byte> body, int maxBytes = S3Xml.DefaultMaxBodyBytes)
    {
        var root = XmlBody.Load(body, "Retention", maxBytes);
        var mode = XmlBody.OptionalText(root, "Mode");
        var date = XmlBody.OptionalText(root, "RetainUntilDate");
        if (mode is null && date is null)
        {
            return new(null, null);
        }

        if (mode is null || date is null)
        {
            throw XmlBody.Malformed();
        }

        return new(ParseMode(mode), ParseTimestamp(date));
    }

    public static async ValueTask<ObjectLockLegalHold> ParseLegalHoldAsync(
        Stream body, int maxBytes = S3Xml.DefaultMaxBodyBytes, CancellationToken cancellationToken = default) =>
        ParseLegalHold(await XmlBody.ReadCappedAsync(body, maxBytes, cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>Status must be exactly <c>ON</c> or <c>OFF</c>.</summary>
    public static ObjectLockLegalHold ParseLegalHold(ReadOnlyMemory<byte> body, int maxBytes = S3Xml.DefaultMaxBodyBytes)
    {
        var root = XmlBody.Load(body, "LegalHold", maxBytes);
        return XmlBody.OptionalText(root, "Status") switch
        {
            "ON" => new(LegalHoldStatus.On),
            "OFF" => new(LegalHoldStatus.Off),
            _ => throw XmlBody.Malformed(),
        };
    }

    /// <summary>
    /// Parses the ISO-8601 forms clients send (botocore <c>.%f</c>, AWSSDK.NET <c>.fff</c>, Java <c>Instant.toString()</c>,
    /// RFC 3339 offsets). Digits past the seventh (100 ns) are dropped: .NET cannot hold them and no client relies on them.
    /// Returns null when the text is not such a timestamp.
    /// </summary>
    public static DateTimeOffset? TryParseTimestamp(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = TimestampPattern().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var fraction = match.Groups["fraction"].Value;
        var normalised = string.Concat(
            match.Groups["seconds"].Value,
            fraction.Length > 0 ? "." + fraction[..Math.Min(fraction.Length, 7)].PadRight(7, '0') : ".0000000",
            match.Groups["zone"].Value == "Z" ? "+00:00" : match.Groups["zone"].Value);
        return DateTimeOffset.TryParseExact(
            normalised, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value.ToUniversalTime()
            : null;
    }

    private static DateTimeOffset ParseTimestamp(string text) => TryParseTimestamp(text) ?? throw XmlBody.Malformed();

    private static ObjectLockMode ParseMode(string? text) =>
        text switch
        {
            "GOVERNANCE" => ObjectLockMode.Governance,
            "COMPLIANCE" => ObjectLockMode.Compliance,
            _ => throw XmlBody.Malformed(),
        };

    [GeneratedRegex(@"^(?<seconds>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.(?<fraction>[0-9]{1,9}))?(?<zone>Z|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();
}
