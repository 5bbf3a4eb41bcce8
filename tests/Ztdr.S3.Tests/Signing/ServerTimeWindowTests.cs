using Ztdr.S3.Errors;
using Ztdr.S3.Signing;

namespace Ztdr.S3.Tests.Signing;

/// <summary>
/// A server that knows only that true time lies in a window (ztdr-vault: from its trusted time, which does not count its
/// downtime, to the wall clock within bounds) refuses a request time only when it is wrong for every time in the window,
/// and a presigned URL once its best estimate is past the expiry.
/// </summary>
public sealed class ServerTimeWindowTests
{
    private const string Host = "vault.example";

    private static readonly TimeSpan Downtime = TimeSpan.FromHours(1);

    private static SigV4Verifier Verifier(DateTimeOffset earliest, DateTimeOffset latest, DateTimeOffset? estimate = null) =>
        new(AwsExample.Secrets, () => new ServerTimeWindow(earliest, estimate ?? earliest, latest), []);

    private static SignedRequest Signed() =>
        AwsExample.Signer().SignHeaders("GET", "/bucket/key", [new("Host", Host)], SigV4.EmptyPayloadSha256);

    private static SignedRequest Presigned(int expiresSeconds)
    {
        var url = AwsExample.Signer().Presign("GET", "/bucket/key", Host, TimeSpan.FromSeconds(expiresSeconds));
        return new SignedRequest("GET", url, [new("Host", Host)]);
    }

    [Fact]
    public void Verify_SignedAtWallTimeAnHourAheadOfTrustedTime_Accepts()
    {
        // The vault was down an hour: its trusted time trails the honest client's clock by that hour.
        var verifier = Verifier(AwsExample.Time - Downtime, AwsExample.Time);

        Assert.Equal(AwsExample.AccessKeyId, verifier.Verify(Signed()).AccessKeyId);
    }

    [Fact]
    public void Verify_SignedAtTrustedTimeWhileWallClockYearsAhead_Accepts()
    {
        var verifier = Verifier(AwsExample.Time, AwsExample.Time + TimeSpan.FromDays(30));

        Assert.Equal(AwsExample.AccessKeyId, verifier.Verify(Signed()).AccessKeyId);
    }

    [Fact]
    public void Verify_SignedBeforeEarliestBeyondSkew_IsTooSkewedNamingEarliest()
    {
        var earliest = AwsExample.Time.AddMinutes(16);
        var rejection = Assert.Throws<S3Exception>(() => Verifier(earliest, earliest + Downtime).Verify(Signed()));

        Assert.Equal(S3Errors.RequestTimeTooSkewed, rejection.Error);
        Assert.Contains(rejection.Details, d => d.Key == "ServerTime" && d.Value == "2013-05-24T00:16:00Z");
    }

    [Fact]
    public void Verify_SignedAfterLatestBeyondSkew_IsTooSkewedNamingLatest()
    {
        var latest = AwsExample.Time.AddMinutes(-16);
        var rejection = Assert.Throws<S3Exception>(() => Verifier(latest - Downtime, latest).Verify(Signed()));

        Assert.Equal(S3Errors.RequestTimeTooSkewed, rejection.Error);
        Assert.Contains(rejection.Details, d => d.Key == "ServerTime" && d.Value == "2013-05-23T23:44:00Z");
    }

    [Fact]
    public void Verify_PresignedExpiredOnlyByTheLatestPlausibleTime_Accepts()
    {
        var verifier = Verifier(AwsExample.Time.AddMinutes(30), AwsExample.Time.AddMinutes(30) + Downtime);

        Assert.True(verifier.Verify(Presigned(3600)).Presigned);
    }

    [Fact]
    public void Verify_PresignedExpiredByTheEstimate_IsAccessDeniedExpiredNamingTheEstimate()
    {
        // Trusted time (earliest) lags by the downtime; that lag must not keep an expired URL alive.
        var estimate = AwsExample.Time.AddSeconds(3601);
        var verifier = Verifier(AwsExample.Time, estimate + Downtime, estimate);

        var rejection = Assert.Throws<S3Exception>(() => verifier.Verify(Presigned(3600)));

        Assert.Equal(S3Errors.AccessDenied, rejection.Error);
        Assert.Equal("Request has expired", rejection.Message);
        Assert.Contains(rejection.Details, d => d.Key == "ServerTime" && d.Value == "2013-05-24T01:00:01Z");
    }

    [Fact]
    public void Verify_PresignedDatedBeyondLatestPlusSkew_IsAccessDeniedNotValidYet()
    {
        var latest = AwsExample.Time.AddMinutes(-16);

        var rejection = Assert.Throws<S3Exception>(() => Verifier(latest - Downtime, latest).Verify(Presigned(3600)));

        Assert.Equal(S3Errors.AccessDenied, rejection.Error);
        Assert.Equal("Request is not valid yet", rejection.Message);
    }

    [Fact]
    public void Constructor_EstimateOutsideTheWindow_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerTimeWindow(AwsExample.Time, AwsExample.Time.AddTicks(-1), AwsExample.Time));
}
