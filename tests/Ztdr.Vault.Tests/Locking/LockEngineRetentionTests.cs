using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;
using static Ztdr.Vault.Tests.Locking.LockSpec;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>PutObjectRetention on an existing version (reference §1.6): every transition, with every bypass combination.</summary>
public sealed class LockEngineRetentionTests
{
    private const string Denied = "AccessDenied";
    private const string PastDate = "InvalidArgument";

    /// <summary>
    /// Transitions from an unexpired retention at now+10d: (current, requested, outcome without a valid bypass, outcome with
    /// one). A valid bypass is the header AND the permission; each is worth nothing alone.
    /// </summary>
    private static readonly (string Current, string Requested, string WithoutBypass, string WithBypass)[] UnexpiredTransitions =
    [
        ("COMPLIANCE +10d", "COMPLIANCE +11d", Allowed, Allowed),      // extend
        ("COMPLIANCE +10d", "COMPLIANCE +10d", Allowed, Allowed),      // same date counts as not shorter
        ("COMPLIANCE +10d", "COMPLIANCE +9d", Denied, Denied),         // shorten: never, bypass or not
        ("COMPLIANCE +10d", "none", Denied, Denied),                   // remove
        ("COMPLIANCE +10d", "GOVERNANCE +10d", Denied, Denied),        // downgrade
        ("COMPLIANCE +10d", "GOVERNANCE +11d", Denied, Denied),        // downgrade, even while extending
        ("COMPLIANCE +10d", "GOVERNANCE +9d", Denied, Denied),
        ("GOVERNANCE +10d", "GOVERNANCE +11d", Allowed, Allowed),      // extension needs no bypass
        ("GOVERNANCE +10d", "GOVERNANCE +10d", Allowed, Allowed),
        ("GOVERNANCE +10d", "GOVERNANCE +9d", Denied, Allowed),
        ("GOVERNANCE +10d", "none", Denied, Allowed),
        ("GOVERNANCE +10d", "COMPLIANCE +10d", Denied, Allowed),       // s3-tests: mode change with bypass and same date => 200
        ("GOVERNANCE +10d", "COMPLIANCE +11d", Denied, Allowed),
        ("GOVERNANCE +10d", "COMPLIANCE +9d", Denied, Allowed),
    ];

    public static TheoryData<string, string, bool, bool, bool, string> Unexpired()
    {
        var rows = new TheoryData<string, string, bool, bool, bool, string>();
        foreach (var (current, requested, withoutBypass, withBypass) in UnexpiredTransitions)
        {
            rows.Add(current, requested, false, false, true, withoutBypass);
            rows.Add(current, requested, true, false, true, withoutBypass);
            rows.Add(current, requested, false, true, true, withoutBypass);
            rows.Add(current, requested, true, true, true, withBypass);
        }

        return rows;
    }

    public static TheoryData<string, string, bool, bool, bool, string> Other => new()
    {
        // current, requested, bypass requested, bypass permitted, trusted clock => outcome
        // No retention or an expired one: anything goes (AWS/MinIO; RGW refuses expired COMPLIANCE -> GOVERNANCE).
        { "none", "COMPLIANCE +1d", false, false, true, Allowed },
        { "none", "GOVERNANCE +1d", false, false, true, Allowed },
        { "none", "none", false, false, true, Allowed },
        { "COMPLIANCE -1d", "GOVERNANCE +1d", false, false, true, Allowed },
        { "COMPLIANCE -1d", "COMPLIANCE +1h", false, false, true, Allowed },
        { "COMPLIANCE -1d", "none", false, false, true, Allowed },
        { "GOVERNANCE -1d", "COMPLIANCE +1d", false, false, true, Allowed },
        { "GOVERNANCE -1d", "none", false, false, true, Allowed },
        { "COMPLIANCE -1ms", "GOVERNANCE +1d", false, false, true, Allowed },
        { "COMPLIANCE 0", "GOVERNANCE +1d", false, false, true, Denied },     // equal instant: still locked
        { "COMPLIANCE +0.5ms", "GOVERNANCE +1d", false, false, true, Denied }, // same millisecond as now: still locked
        { "COMPLIANCE -0.5ms", "GOVERNANCE +1d", false, false, true, Allowed }, // the millisecond before now: expired

        // The new date must be in the future, also where anything goes, and before any transition rule.
        { "none", "COMPLIANCE -1d", false, false, true, PastDate },
        { "none", "GOVERNANCE 0", false, false, true, PastDate },
        { "none", "GOVERNANCE +0.5ms", false, false, true, PastDate },        // same millisecond as now is not the future
        { "none", "GOVERNANCE +1ms", false, false, true, Allowed },
        { "COMPLIANCE -1d", "COMPLIANCE -1h", false, false, true, PastDate },
        { "COMPLIANCE +10d", "GOVERNANCE -1d", true, true, true, PastDate },
        { "GOVERNANCE +10d", "GOVERNANCE -1d", true, true, true, PastDate },

        // Millisecond precision: a difference below one millisecond is no difference.
        { "COMPLIANCE +1.9ms", "COMPLIANCE +1.1ms", false, false, true, Allowed },  // shorter, but the same stored date
        { "COMPLIANCE +2ms", "COMPLIANCE +1.9ms", false, false, true, Denied },     // an earlier millisecond: shorter

        // Untrusted clock: retentions the wall clock calls expired still hold; extension still works.
        { "COMPLIANCE -3650d", "GOVERNANCE +1d", false, false, false, Denied },
        { "COMPLIANCE -3650d", "none", true, true, false, Denied },
        { "COMPLIANCE -3650d", "COMPLIANCE +1d", false, false, false, Allowed },
        { "GOVERNANCE -3650d", "none", false, false, false, Denied },
        { "GOVERNANCE -3650d", "none", true, true, false, Allowed },
        { "none", "COMPLIANCE +1d", false, false, false, Allowed },
    };

    [Theory]
    [MemberData(nameof(Unexpired))]
    [MemberData(nameof(Other))]
    public void CheckPutRetention_Row_GivesTheTableOutcome(string current, string requested, bool bypassRequested, bool bypassPermitted, bool trusted, string expected)
    {
        var error = LockEngine.CheckPutRetention(State(current), Retention(requested), bypassRequested, bypassPermitted, At(trusted));

        Assert.Equal(expected, Outcome(error));
    }

    [Theory]
    [InlineData("ON")]
    [InlineData("OFF")]
    public void CheckPutRetention_LegalHold_PlaysNoPart(string legalHold)
    {
        var state = State("COMPLIANCE +10d", legalHold);

        Assert.Null(LockEngine.CheckPutRetention(state, Retention("COMPLIANCE +20d"), false, false, At(true)));
        Assert.Equal(Denied, Outcome(LockEngine.CheckPutRetention(state, Retention("COMPLIANCE +5d"), true, true, At(true))));
    }

    [Fact]
    public void CheckPutRetention_OnDeleteMarker_Is405MethodNotAllowed()
    {
        var error = LockEngine.CheckPutRetention(VersionLockState.DeleteMarker, Retention("COMPLIANCE +1d"), false, false, At(true));

        Assert.NotNull(error);
        Assert.Same(S3Errors.MethodNotAllowed, error.Error);
        Assert.Equal(405, error.Error.Status);
    }

    [Fact]
    public void CheckPutRetention_PastDate_Is400WithTheAwsMessage()
    {
        var error = LockEngine.CheckPutRetention(State("none"), Retention("GOVERNANCE -1d"), false, false, At(true));

        Assert.NotNull(error);
        Assert.Same(S3Errors.InvalidArgument, error.Error);
        Assert.Equal(400, error.Error.Status);
        Assert.Equal("The retain until date must be in the future!", error.Message);
    }

    [Fact]
    public void CheckPutRetention_ShorteningCompliance_Is403WithTheAwsMessage()
    {
        var error = LockEngine.CheckPutRetention(State("COMPLIANCE +10d"), Retention("COMPLIANCE +1d"), true, true, At(true));

        Assert.NotNull(error);
        Assert.Same(S3Errors.AccessDenied, error.Error);
        Assert.Equal("Access Denied because object protected by object lock.", error.Message);
    }
}
