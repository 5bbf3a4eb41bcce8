using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>Lock headers on PutObject/CopyObject/CreateMultipartUpload (reference §1.4) and their errors (§1.5).</summary>
public sealed class LockHeadersTests
{
    private const string Mode = "x-amz-object-lock-mode";
    private const string Date = "x-amz-object-lock-retain-until-date";
    private const string Hold = "x-amz-object-lock-legal-hold";

    [Fact]
    public void Parse_NoLockHeaders_GivesNothing()
    {
        Assert.Equal((null, null), LockHeaders.Parse(Headers()));
    }

    [Fact]
    public void Parse_EmptyValues_CountAsAbsent()
    {
        Assert.Equal((null, null), LockHeaders.Parse(Headers((Mode, ""), (Date, ""), (Hold, ""))));
    }

    [Theory]
    [InlineData("GOVERNANCE", LockMode.Governance)]
    [InlineData("COMPLIANCE", LockMode.Compliance)]
    public void Parse_ModeAndDate_GivesRetention(string mode, LockMode expected)
    {
        var (retention, legalHold) = LockHeaders.Parse(Headers((Mode, mode), (Date, "2030-01-01T00:00:00.000Z")));

        Assert.Equal(new Retention(expected, new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)), retention);
        Assert.Null(legalHold);
    }

    [Theory]
    [InlineData("2030-01-01T00:00:00Z", 0L)]                     // no fraction (botocore when microseconds are 0)
    [InlineData("2030-01-01T00:00:00.5Z", 5_000_000L)]
    [InlineData("2030-01-01T00:00:00.123Z", 1_230_000L)]         // AWSSDK.NET
    [InlineData("2030-01-01T00:00:00.123456Z", 1_234_560L)]      // botocore %f
    [InlineData("2030-01-01T00:00:00.123456789Z", 1_234_567L)]   // Java Instant.toString(): digits past 100 ns dropped
    [InlineData("2030-01-01T02:00:00.000+02:00", 0L)]            // RFC 3339 offset
    [InlineData("2029-12-31T19:00:00-05:00", 0L)]
    public void Parse_Iso8601Forms_GiveTheSameInstant(string text, long ticksAfterMidnight)
    {
        var (retention, _) = LockHeaders.Parse(Headers((Mode, "COMPLIANCE"), (Date, text)));

        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(ticksAfterMidnight), retention!.RetainUntil);
        Assert.Equal(TimeSpan.Zero, retention.RetainUntil.Offset);
    }

    [Theory]
    [InlineData("ON", true)]
    [InlineData("OFF", false)]
    public void Parse_LegalHold_GivesItAlone(string value, bool expected)
    {
        Assert.Equal((null, expected), LockHeaders.Parse(Headers((Hold, value))));
    }

    [Fact]
    public void Parse_AllThree_GivesBoth()
    {
        var (retention, legalHold) = LockHeaders.Parse(Headers((Mode, "GOVERNANCE"), (Date, "2031-05-06T07:08:09.010Z"), (Hold, "ON")));

        Assert.Equal(LockMode.Governance, retention!.Mode);
        Assert.True(legalHold);
    }

    [Theory]
    [InlineData(null, "2030-01-01T00:00:00.000Z", Mode)]
    [InlineData("COMPLIANCE", null, Date)]
    [InlineData("", "2030-01-01T00:00:00.000Z", Mode)]
    public void Parse_OnlyOneOfModeAndDate_IsInvalidArgument(string? mode, string? date, string missing)
    {
        var error = Assert.Throws<S3Exception>(() => LockHeaders.Parse(Headers((Mode, mode), (Date, date))));

        AssertInvalidArgument(error, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied", missing);
    }

    [Theory]
    [InlineData("governance")]     // exact upper case, as in XML bodies
    [InlineData("Compliance")]
    [InlineData("ABC")]
    [InlineData(" COMPLIANCE")]
    public void Parse_UnknownMode_IsInvalidArgument(string mode)
    {
        var error = Assert.Throws<S3Exception>(() => LockHeaders.Parse(Headers((Mode, mode), (Date, "2030-01-01T00:00:00.000Z"))));

        AssertInvalidArgument(error, "Unknown wormMode directive.", Mode);
    }

    [Theory]
    [InlineData("Wed, 01 Jan 2030 00:00:00 GMT")]   // RFC 1123 is not ISO-8601
    [InlineData("2030-01-01")]
    [InlineData("2030-01-01T00:00:00")]             // no zone: ambiguous, refused
    [InlineData("2030-01-01T00:00:00.1234567890Z")] // ten fraction digits
    [InlineData("2030-13-01T00:00:00Z")]
    [InlineData("tomorrow")]
    public void Parse_UnparsableDate_IsInvalidArgument(string date)
    {
        var error = Assert.Throws<S3Exception>(() => LockHeaders.Parse(Headers((Mode, "COMPLIANCE"), (Date, date))));

        AssertInvalidArgument(error, "The retain until date must be provided in ISO 8601 format", Date);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("true")]
    [InlineData("ENABLED")]
    public void Parse_BadLegalHold_IsInvalidArgument(string value)
    {
        var error = Assert.Throws<S3Exception>(() => LockHeaders.Parse(Headers((Hold, value))));

        AssertInvalidArgument(error, "Legal Hold must be either of 'ON' or 'OFF'", Hold);
    }

    [Fact]
    public void Parse_HeaderLookup_UsesTheLowerCaseWireNames()
    {
        var asked = new List<string>();

        LockHeaders.Parse(name =>
        {
            asked.Add(name);
            return null;
        });

        Assert.Equal([Mode, Date, Hold], asked);
    }

    [Theory]
    [InlineData(0L, "2030-01-01T00:00:00.000Z")]
    [InlineData(1_239_999L, "2030-01-01T00:00:00.123Z")]   // truncated, never rounded up
    public void FormatDate_Instant_IsIso8601WithMilliseconds(long ticks, string expected)
    {
        Assert.Equal(expected, LockHeaders.FormatDate(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(ticks)));
    }

    [Fact]
    public void FormatDate_NonUtcOffset_IsWrittenInUtc()
    {
        Assert.Equal("2029-12-31T22:00:00.000Z", LockHeaders.FormatDate(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.FromHours(2))));
    }

    private static void AssertInvalidArgument(S3Exception error, string message, string argumentName)
    {
        Assert.Same(S3Errors.InvalidArgument, error.Error);
        Assert.Equal(400, error.Error.Status);
        Assert.Equal(message, error.Message);
        Assert.Equal(new KeyValuePair<string, string>("ArgumentName", argumentName), error.Details[0]);
    }

    private static Func<string, string?> Headers(params (string Name, string? Value)[] headers)
    {
        var map = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            map[name] = value;
        }

        return name => map.GetValueOrDefault(name);
    }
}
