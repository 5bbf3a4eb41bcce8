using Ztdr.S3.Errors;
using Ztdr.Vault.Api;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tests.Api;

public sealed class PreconditionsTests
{
    private const string ETag = "\"0123456789abcdef0123456789abcdef\"";
    private const string OtherETag = "\"ffffffffffffffffffffffffffffffff\"";

    // Sub-second part on purpose: HTTP dates have whole seconds, so comparisons must truncate.
    private static readonly DateTimeOffset Modified = new(2025, 6, 1, 12, 0, 0, 500, TimeSpan.Zero);
    private static readonly string AtModified = "Sun, 01 Jun 2025 12:00:00 GMT";
    private static readonly string Before = "Sun, 01 Jun 2025 11:59:59 GMT";
    private static readonly string After = "Sun, 01 Jun 2025 12:00:01 GMT";

    private static readonly ObjectVersion Version = new(1, "bucket", "key", "null", false, true, 10, ETag, Modified, StoredHeaders.Empty, null, []);

    [Fact]
    public void Check_NoConditions_Passes() => Check(null, null, null, null);

    [Theory]
    [InlineData(ETag)]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("*")]
    [InlineData(OtherETag + ", " + ETag)]
    [InlineData("W/" + ETag)]
    public void Check_IfMatchMatching_Passes(string ifMatch) => Check(ifMatch, null, null, null);

    [Fact]
    public void Check_IfMatchNotMatching_IsPreconditionFailed() => AssertFailed("If-Match", () => Check(OtherETag, null, null, null));

    [Theory]
    [InlineData(ETag)]
    [InlineData("*")]
    [InlineData(OtherETag + "," + ETag)]
    public void Check_IfNoneMatchMatching_IsNotModifiedWithValidators(string ifNoneMatch)
    {
        var error = Assert.Throws<S3Exception>(() => Check(null, ifNoneMatch, null, null));

        Assert.Equal("NotModified", error.Error.Code);
        Assert.Equal(304, error.Error.Status);
        Assert.Equal(ETag, error.Headers["ETag"]);
        Assert.Equal(AtModified, error.Headers["Last-Modified"]);
    }

    [Fact]
    public void Check_IfNoneMatchNotMatching_Passes() => Check(null, OtherETag, null, null);

    [Theory]
    [InlineData("Sun, 01 Jun 2025 12:00:00 GMT")]
    [InlineData("Sun, 01 Jun 2025 12:00:01 GMT")]
    public void Check_IfModifiedSinceAtOrAfterLastModified_IsNotModified(string since)
    {
        Assert.Equal("NotModified", Assert.Throws<S3Exception>(() => Check(null, null, since, null)).Error.Code);
    }

    [Fact]
    public void Check_IfModifiedSinceBeforeLastModified_Passes() => Check(null, null, Before, null);

    [Fact]
    public void Check_IfUnmodifiedSinceBeforeLastModified_IsPreconditionFailed() =>
        AssertFailed("If-Unmodified-Since", () => Check(null, null, null, Before));

    [Theory]
    [InlineData("Sun, 01 Jun 2025 12:00:00 GMT")]
    [InlineData("Sun, 01 Jun 2025 12:00:01 GMT")]
    public void Check_IfUnmodifiedSinceAtOrAfterLastModified_Passes(string since) => Check(null, null, null, since);

    [Fact]
    public void Check_IfMatchTrueAndIfUnmodifiedSinceFalse_PassesBecauseIfMatchWins() => Check(ETag, null, null, Before);

    [Fact]
    public void Check_IfMatchFalseAndIfUnmodifiedSinceTrue_IsPreconditionFailed() =>
        AssertFailed("If-Match", () => Check(OtherETag, null, null, After));

    [Fact]
    public void Check_IfNoneMatchFalseAndIfModifiedSinceFalse_PassesBecauseIfNoneMatchWins() => Check(null, OtherETag, After, null);

    [Fact]
    public void Check_IfNoneMatchTrueAndIfModifiedSinceTrue_IsNotModified()
    {
        Assert.Equal("NotModified", Assert.Throws<S3Exception>(() => Check(null, ETag, Before, null)).Error.Code);
    }

    [Fact]
    public void Check_IfMatchFailsAndIfNoneMatchMatches_IsPreconditionFailedNotNotModified() =>
        AssertFailed("If-Match", () => Check(OtherETag, ETag, null, null));

    [Fact]
    public void Check_IfUnmodifiedSinceFailsAndIfNoneMatchMatches_IsPreconditionFailed() =>
        AssertFailed("If-Unmodified-Since", () => Check(null, ETag, null, Before));

    [Theory]
    [InlineData("not a date")]
    [InlineData("")]
    public void Check_UnparsableDates_AreIgnored(string date) => Check(null, null, date, date);

    [Fact]
    public void Check_CopySourceIfNoneMatchMatching_IsPreconditionFailed() =>
        AssertFailed("x-amz-copy-source-If-None-Match", () => Preconditions.Check(Version, null, ETag, null, null, forCopySource: true));

    [Fact]
    public void Check_CopySourceIfModifiedSinceNotModified_IsPreconditionFailed() =>
        AssertFailed("x-amz-copy-source-If-Modified-Since", () => Preconditions.Check(Version, null, null, After, null, forCopySource: true));

    [Fact]
    public void Check_CopySourceIfMatchFailing_NamesCopySourceCondition() =>
        AssertFailed("x-amz-copy-source-If-Match", () => Preconditions.Check(Version, OtherETag, null, null, null, forCopySource: true));

    [Fact]
    public void Check_CopySourceIfMatchTrueAndIfUnmodifiedSinceFalse_Passes() =>
        Preconditions.Check(Version, ETag, null, null, Before, forCopySource: true);

    [Fact]
    public void Check_CopySourceIfNoneMatchFalseAndIfModifiedSinceFalse_Passes() =>
        Preconditions.Check(Version, null, OtherETag, After, null, forCopySource: true);

    private static void Check(string? ifMatch, string? ifNoneMatch, string? ifModifiedSince, string? ifUnmodifiedSince) =>
        Preconditions.Check(Version, ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince, forCopySource: false);

    private static void AssertFailed(string condition, Action check)
    {
        var error = Assert.Throws<S3Exception>(check);
        Assert.Equal("PreconditionFailed", error.Error.Code);
        Assert.Equal(412, error.Error.Status);
        Assert.Contains(new KeyValuePair<string, string>("Condition", condition), error.Details);
    }
}
