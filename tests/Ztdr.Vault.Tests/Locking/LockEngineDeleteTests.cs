using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;
using static Ztdr.Vault.Tests.Locking.LockSpec;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>DeleteObject with a versionId (reference §1.7): every row of the table, and the order of the checks.</summary>
public sealed class LockEngineDeleteTests
{
    private const string Denied = "AccessDenied";

    public static TheoryData<string, string, bool, bool, bool, string> Rows => new()
    {
        // retention, legal hold, bypass requested, bypass permitted, trusted clock => outcome
        { "none", "never", false, false, true, Allowed },
        { "none", "OFF", false, false, true, Allowed },
        { "none", "ON", false, false, true, Denied },
        { "none", "ON", true, true, true, Denied },                        // governance bypass never lifts a legal hold
        { "GOVERNANCE -1d", "ON", true, true, true, Denied },              // expired retention must not short-circuit past the hold
        { "COMPLIANCE -1d", "ON", false, false, true, Denied },
        { "COMPLIANCE +10d", "OFF", false, false, true, Denied },          // a released hold does not release retention
        { "COMPLIANCE +10d", "never", false, false, true, Denied },
        { "COMPLIANCE +10d", "never", true, false, true, Denied },
        { "COMPLIANCE +10d", "never", false, true, true, Denied },
        { "COMPLIANCE +10d", "never", true, true, true, Denied },          // nothing bypasses COMPLIANCE
        { "COMPLIANCE -1d", "never", false, false, true, Allowed },
        { "COMPLIANCE -1d", "OFF", false, false, true, Allowed },
        { "GOVERNANCE +10d", "never", false, false, true, Denied },
        { "GOVERNANCE +10d", "never", true, false, true, Denied },         // header without the permission
        { "GOVERNANCE +10d", "never", false, true, true, Denied },         // permission without the header
        { "GOVERNANCE +10d", "never", true, true, true, Allowed },
        { "GOVERNANCE -1d", "never", false, false, true, Allowed },
        { "COMPLIANCE 0", "never", false, false, true, Denied },           // equal instant: still locked
        { "COMPLIANCE +0.5ms", "never", false, false, true, Denied },      // in the same millisecond as now: still locked
        { "COMPLIANCE -0.5ms", "never", false, false, true, Allowed },     // in the millisecond before now: expired
        { "COMPLIANCE -1ms", "never", false, false, true, Allowed },       // the next millisecond: expired
        { "COMPLIANCE -3650d", "never", false, false, false, Denied },     // untrusted clock: nothing has expired
        { "GOVERNANCE -3650d", "never", false, false, false, Denied },
        { "GOVERNANCE -3650d", "never", true, true, false, Allowed },      // bypass does not depend on time
        { "none", "never", false, false, false, Allowed },                 // nothing to judge against the clock
        { "none", "OFF", false, false, false, Allowed },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void CheckDeleteVersion_Row_GivesTheTableOutcome(string retention, string legalHold, bool bypassRequested, bool bypassPermitted, bool trusted, string expected)
    {
        var error = LockEngine.CheckDeleteVersion(State(retention, legalHold), bypassRequested, bypassPermitted, At(trusted));

        Assert.Equal(expected, Outcome(error));
    }

    [Theory]
    [InlineData("COMPLIANCE +10d", "ON", false)]
    [InlineData("GOVERNANCE +10d", "ON", true)]
    [InlineData("none", "never", false)]
    public void CheckDeleteVersion_DeleteMarker_IsAlwaysAllowed(string retention, string legalHold, bool trusted)
    {
        // Markers never carry lock state; even if one were recorded, it must not pin the marker.
        var marker = State(retention, legalHold) with { IsDeleteMarker = true };

        Assert.Null(LockEngine.CheckDeleteVersion(marker, false, false, At(trusted)));
    }

    [Fact]
    public void CheckDeleteVersion_UnderComplianceRetention_IsDeniedWith403AndTheAwsMessage()
    {
        var error = LockEngine.CheckDeleteVersion(State("COMPLIANCE +1d"), true, true, At(true));

        Assert.NotNull(error);
        Assert.Same(S3Errors.AccessDenied, error.Error);
        Assert.Equal(403, error.Error.Status);
        Assert.Equal("Access Denied because object protected by object lock.", error.Message);
    }

    [Fact]
    public void CheckDeleteVersion_CalledTwice_ReturnsSeparateExceptions()
    {
        // Callers may add details (Key, VersionId) to the error; one caller's must never leak into another's.
        var first = LockEngine.CheckDeleteVersion(State("none", "ON"), false, false, At(true));
        var second = LockEngine.CheckDeleteVersion(State("none", "ON"), false, false, At(true));

        Assert.NotSame(first, second);
    }
}
