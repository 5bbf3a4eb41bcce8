using Ztdr.Vault.Approvals;

namespace Ztdr.Vault.Tests.Approvals;

/// <summary>Restoring trust in a clock that lost it: only through an approved request, and never backwards.</summary>
public sealed class ClockTrustApprovalTests : IDisposable
{
    private readonly ApprovalRig _rig = new(trustedClock: false);

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task ApproveAsync_TrustClock_ClockTrustedFromProposedTimePlusElapsedAndPersisted()
    {
        Assert.False(_rig.Clock.IsTrusted);
        var proposed = _rig.Clock.Now.Now + TimeSpan.FromDays(3);
        var parameters = new ApprovalParameters { ProposedTime = proposed, VaultTimeAtRequest = _rig.Clock.Now.Now };
        var approval = await _rig.Engine.RequestAsync(SensitiveOperation.TrustClock, parameters, null, "ZVADMINAAAAAAAAAAAAA", "local");
        _rig.Time.Advance(TimeSpan.FromHours(2));
        Assert.False(_rig.Clock.IsTrusted);

        await _rig.Engine.ApproveAsync(approval.ApprovalId, "ZVADMINBBBBBBBBBBBBB", "local");

        Assert.True(_rig.Clock.IsTrusted);
        Assert.Null(_rig.Clock.UntrustedReason);
        Assert.Equal(proposed + TimeSpan.FromHours(2), _rig.Clock.Now.Now);
        Assert.Equal(proposed + TimeSpan.FromHours(2), _rig.ClockStore.Load()!.TrustedTime);
    }

    [Fact]
    public async Task ApproveAsync_TrustClockByRequester_ClockStaysUntrusted()
    {
        var parameters = new ApprovalParameters { ProposedTime = _rig.Clock.Now.Now, VaultTimeAtRequest = _rig.Clock.Now.Now };
        var approval = await _rig.Engine.RequestAsync(SensitiveOperation.TrustClock, parameters, null, "ZVADMINAAAAAAAAAAAAA", "local");

        await Assert.ThrowsAsync<ApprovalRefusedException>(() => _rig.Engine.ApproveAsync(approval.ApprovalId, "ZVADMINAAAAAAAAAAAAA", "local"));

        Assert.False(_rig.Clock.IsTrusted);
        Assert.Equal(0, _rig.ClockStore.Saves);
    }

    [Fact]
    public void RestoreTrust_BehindCurrentTime_IsRefusedAndStaysUntrusted()
    {
        Assert.Throws<InvalidOperationException>(() => _rig.Clock.RestoreTrust(_rig.Clock.Now.Now - TimeSpan.FromSeconds(1)));

        Assert.False(_rig.Clock.IsTrusted);
    }

    [Fact]
    public void RestoreTrust_AlreadyTrusted_ChangesNothing()
    {
        var restoredAt = _rig.Clock.Now.Now;
        Assert.True(_rig.Clock.RestoreTrust(restoredAt));

        Assert.False(_rig.Clock.RestoreTrust(restoredAt + TimeSpan.FromDays(1)));
        Assert.Equal(restoredAt, _rig.Clock.Now.Now);
        Assert.Equal(1, _rig.ClockStore.Saves);
        Assert.True(_rig.Clock.IsTrusted);
        Assert.False(_rig.Clock.DriftExceeded);
    }
}
