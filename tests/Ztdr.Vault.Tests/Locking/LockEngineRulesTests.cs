using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;
using static Ztdr.Vault.Tests.Locking.LockSpec;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>IsProtected, overwriting the null version, new retentions on writes, legal hold, and the bucket rules.</summary>
public sealed class LockEngineRulesTests
{
    public static TheoryData<string, string, bool, bool> ProtectionRows => new()
    {
        // retention, legal hold, trusted clock => protected
        { "none", "never", true, false },
        { "none", "OFF", true, false },
        { "none", "ON", true, true },
        { "COMPLIANCE +1d", "never", true, true },
        { "GOVERNANCE +1d", "never", true, true },
        { "COMPLIANCE -1d", "never", true, false },
        { "GOVERNANCE -1d", "OFF", true, false },
        { "GOVERNANCE -1d", "ON", true, true },
        { "COMPLIANCE 0", "never", true, true },          // equal instant: still locked (MinIO's !retainUntil.Before(now))
        { "COMPLIANCE +0.999ms", "never", true, true },   // same millisecond as now
        { "COMPLIANCE -0.001ms", "never", true, false },  // the millisecond before now
        { "COMPLIANCE -1ms", "never", true, false },
        { "COMPLIANCE -3650d", "never", false, true },    // untrusted: nothing has expired
        { "GOVERNANCE -3650d", "OFF", false, true },
        { "none", "never", false, false },
        { "none", "OFF", false, false },
    };

    [Theory]
    [MemberData(nameof(ProtectionRows))]
    public void IsProtected_Row_GivesTheTableOutcome(string retention, string legalHold, bool trusted, bool expected)
    {
        Assert.Equal(expected, LockEngine.IsProtected(State(retention, legalHold), At(trusted)));
    }

    [Fact]
    public void IsProtected_DefaultInstant_FailsClosed()
    {
        // default(TrustedInstant) is untrusted: an instant nobody set can never expire a retention.
        var state = State("COMPLIANCE -3650d");

        Assert.True(LockEngine.IsProtected(state, default));
        Assert.NotNull(LockEngine.CheckDeleteVersion(state, false, false, default));
    }

    [Fact]
    public void IsProtected_DeleteMarker_IsNever()
    {
        Assert.False(LockEngine.IsProtected(VersionLockState.DeleteMarker, At(false)));
    }

    [Fact]
    public void IsProtected_SubMillisecondNowAtRetainUntilMillisecond_IsStillProtected()
    {
        // Dates are stored truncated to milliseconds: the whole millisecond of RetainUntil must still be protected, so
        // truncation never ends a protection early.
        var until = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var state = new VersionLockState(new Retention(LockMode.Compliance, until), null, false);

        Assert.True(LockEngine.IsProtected(state, new TrustedInstant(until.AddTicks(9_999), true)));
        Assert.False(LockEngine.IsProtected(state, new TrustedInstant(until.AddTicks(10_000), true)));
    }

    [Theory]
    [InlineData("none", "never", true, LockSpec.Allowed)]
    [InlineData("none", "OFF", true, LockSpec.Allowed)]
    [InlineData("COMPLIANCE -1d", "never", true, LockSpec.Allowed)]
    [InlineData("GOVERNANCE -1d", "never", true, LockSpec.Allowed)]
    [InlineData("none", "ON", true, "AccessDenied")]
    [InlineData("COMPLIANCE +1d", "never", true, "AccessDenied")]
    [InlineData("GOVERNANCE +1d", "never", true, "AccessDenied")]   // no bypass for overwriting
    [InlineData("COMPLIANCE 0", "never", true, "AccessDenied")]
    [InlineData("COMPLIANCE -1d", "never", false, "AccessDenied")]  // untrusted clock fails closed
    public void CheckReplaceNullVersion_Row_DeniesOnlyAProtectedVersion(string retention, string legalHold, bool trusted, string expected)
    {
        Assert.Equal(expected, Outcome(LockEngine.CheckReplaceNullVersion(State(retention, legalHold), At(trusted))));
    }

    [Fact]
    public void CheckReplaceNullVersion_NullVersionIsDeleteMarker_IsAllowed()
    {
        Assert.Null(LockEngine.CheckReplaceNullVersion(VersionLockState.DeleteMarker, At(false)));
    }

    [Fact]
    public void CheckReplaceNullVersion_Protected_Is403WithTheAwsMessage()
    {
        var error = LockEngine.CheckReplaceNullVersion(State("COMPLIANCE +1d"), At(true));

        Assert.NotNull(error);
        Assert.Same(S3Errors.AccessDenied, error.Error);
        Assert.Equal("Access Denied because object protected by object lock.", error.Message);
    }

    [Theory]
    [InlineData("+1ms", true)]
    [InlineData("+3650d", true)]
    [InlineData("+0.5ms", false)]     // the same millisecond as now is not the future
    [InlineData("0", false)]
    [InlineData("-1d", false)]
    public void CheckNewRetention_Date_MustBeInTheFuture(string offset, bool allowed)
    {
        var error = LockEngine.CheckNewRetention(new Retention(LockMode.Compliance, Now + Offset(offset)), At(true));

        Assert.Equal(allowed, error is null);
    }

    [Fact]
    public void CheckNewRetention_PastDate_Is400NamingTheHeader()
    {
        var past = new DateTimeOffset(2020, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

        var error = LockEngine.CheckNewRetention(new Retention(LockMode.Governance, past), At(true));

        Assert.NotNull(error);
        Assert.Same(S3Errors.InvalidArgument, error.Error);
        Assert.Equal("The retain until date must be in the future!", error.Message);
        Assert.Equal(
            [new("ArgumentName", "x-amz-object-lock-retain-until-date"), new("ArgumentValue", "2020-01-02T03:04:05.678Z")],
            error.Details);
    }

    [Theory]
    [InlineData(true, true, true, true)]
    [InlineData(true, true, false, true)]
    [InlineData(true, false, true, false)]
    [InlineData(false, false, true, true)]
    [InlineData(false, true, false, false)]
    [InlineData(false, true, true, true)]
    public void CanSetLegalHold_PlaceAndRelease_NeedTheirOwnPermission(bool on, bool placePermitted, bool releasePermitted, bool expected)
    {
        Assert.Equal(expected, LockEngine.CanSetLegalHold(on, placePermitted, releasePermitted));
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]     // suspend a lock bucket: 409
    [InlineData(false, true, true)]
    [InlineData(false, false, true)]
    public void CheckVersioningChange_LockBucket_CanNeverBeSuspended(bool objectLockEnabled, bool enable, bool allowed)
    {
        Assert.Equal(allowed, LockEngine.CheckVersioningChange(objectLockEnabled, enable) is null);
    }

    [Fact]
    public void CheckVersioningChange_SuspendOnLockBucket_Is409WithTheAwsMessage()
    {
        var error = LockEngine.CheckVersioningChange(objectLockEnabled: true, enable: false);

        Assert.NotNull(error);
        Assert.Same(S3Errors.InvalidBucketState, error.Error);
        Assert.Equal(409, error.Error.Status);
        Assert.Equal("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.", error.Message);
    }

    [Fact]
    public void CheckEnableObjectLock_VersioningEnabled_IsAllowed()
    {
        Assert.Null(LockEngine.CheckEnableObjectLock(versioningEnabled: true));
    }

    [Fact]
    public void CheckEnableObjectLock_VersioningUnsetOrSuspended_Is409InvalidBucketState()
    {
        var error = LockEngine.CheckEnableObjectLock(versioningEnabled: false);

        Assert.NotNull(error);
        Assert.Same(S3Errors.InvalidBucketState, error.Error);
        Assert.Equal(409, error.Error.Status);
    }
}
