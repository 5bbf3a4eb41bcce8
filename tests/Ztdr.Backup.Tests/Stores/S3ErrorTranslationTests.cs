using System.Net;
using Amazon.Runtime;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Tests.Stores;

public sealed class S3ErrorTranslationTests
{
    [Fact]
    public void Translate_SdkChecksumMismatchOnClose_IsDamagedNamingTheObject()
    {
        var error = S3ErrorTranslation.Translate(new AmazonClientException("Expected hash not equal to calculated hash"), "backups", "snapshots/ab");

        Assert.Equal(StoreErrorKind.Damaged, error.Kind);
        Assert.Contains("object 'snapshots/ab' is damaged in storage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_OtherClientFailure_IsUnavailable()
    {
        var error = S3ErrorTranslation.Translate(new AmazonClientException("connection reset"), "backups", "x");

        Assert.Equal(StoreErrorKind.Unavailable, error.Kind);
    }

    [Fact]
    public void Translate_ServiceErrorMentioningHash_IsNotDamaged()
    {
        var error = S3ErrorTranslation.Translate(
            new AmazonServiceException("Expected hash not equal to calculated hash") { StatusCode = HttpStatusCode.BadRequest, ErrorCode = "BadDigest" }, "backups", "x");

        Assert.Equal(StoreErrorKind.Rejected, error.Kind);
    }

    [Fact]
    public void Translate_ContentSha256Mismatch_SaysTheBodyWasAlteredWithNoSettingToChange()
    {
        // ztdr's uploads carry their digests as headers and no trailer in every checksum mode: no knob to suggest.
        var error = S3ErrorTranslation.Translate(
            new AmazonServiceException(string.Empty) { StatusCode = HttpStatusCode.BadRequest, ErrorCode = "XAmzContentSHA256Mismatch" }, "backups", "x");

        Assert.Equal(StoreErrorKind.Rejected, error.Kind);
        Assert.Contains("altered in transit", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AWS_REQUEST_CHECKSUM_CALCULATION", error.Message, StringComparison.Ordinal);
    }
}
