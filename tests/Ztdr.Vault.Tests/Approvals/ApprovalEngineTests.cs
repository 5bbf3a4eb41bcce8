using Ztdr.Vault.Approvals;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tests.Approvals;

/// <summary>Four-eyes approval against a real metadata store and audit log, on a manual clock.</summary>
public sealed class ApprovalEngineTests : IDisposable
{
    private const string KeyA = "ZVADMINAAAAAAAAAAAAA";
    private const string KeyB = "ZVADMINBBBBBBBBBBBBB";

    private readonly ApprovalRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task RequestAsync_DeleteBucket_StoresPendingAndDeletesNothing()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");

        var approval = await RequestDeleteAsync("doomed");

        Assert.Equal(ApprovalState.Pending, approval.State);
        Assert.Equal(KeyA, approval.Requester);
        Assert.Equal(approval.Created + ApprovalRig.Ttl, approval.Expires);
        Assert.NotNull(_rig.Vault.Buckets.Find("doomed"));
        var listed = Assert.Single(await _rig.Engine.ListAsync());
        Assert.Equal(approval.ApprovalId, listed.ApprovalId);
        Assert.Equal(1, _rig.Engine.PendingCount());
        _rig.Time.Advance(ApprovalRig.Ttl);
        Assert.Equal(0, _rig.Engine.PendingCount());
    }

    [Fact]
    public async Task RequestAsync_AuditLogReadOnly_IsRefusedAndStoresNothing()
    {
        using var rig = new ApprovalRig(readOnlyAudit: true);

        var refused = await Assert.ThrowsAsync<ApprovalRefusedException>(() =>
            rig.Engine.RequestAsync(SensitiveOperation.DeleteBucket, new ApprovalParameters { Bucket = "any" }, null, KeyA, "local"));

        Assert.Equal("XVaultStorageFull", refused.Code);
        Assert.Empty(await rig.Engine.ListAsync());
    }

    [Fact]
    public async Task ApproveAsync_ByRequester_IsSelfApprovalAndBucketStays()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");
        var approval = await RequestDeleteAsync("doomed");

        var refused = await Assert.ThrowsAsync<ApprovalRefusedException>(() => _rig.Engine.ApproveAsync(approval.ApprovalId, KeyA, "local"));

        Assert.Equal("SelfApproval", refused.Code);
        Assert.Equal(403, refused.Status);
        Assert.NotNull(_rig.Vault.Buckets.Find("doomed"));
        Assert.Equal(ApprovalState.Pending, Assert.Single(await _rig.Engine.ListAsync()).State);
        Assert.Contains(_rig.AuditEvents(), e => e.Operation == "approval:approve" && e.Principal == KeyA && e.Outcome == "denied:SelfApproval");
    }

    [Fact]
    public async Task ApproveAsync_BySecondKey_DeletesBucketAndMarksApproved()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");
        var approval = await RequestDeleteAsync("doomed");

        var approved = await _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local");

        Assert.Equal(ApprovalState.Approved, approved.State);
        Assert.Equal(KeyB, approved.DecidedBy);
        Assert.Null(_rig.Vault.Buckets.Find("doomed"));
        Assert.Equal(ApprovalState.Approved, Assert.Single(await _rig.Engine.ListAsync()).State);
    }

    [Fact]
    public async Task ApproveAsync_Twice_SecondIsNotPending()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");
        var approval = await RequestDeleteAsync("doomed");
        await _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local");

        var refused = await Assert.ThrowsAsync<ApprovalRefusedException>(() => _rig.Engine.ApproveAsync(approval.ApprovalId, "ZVADMINCCCCCCCCCCCCC", "local"));

        Assert.Equal("ApprovalNotPending", refused.Code);
    }

    [Fact]
    public async Task ApproveAsync_AtExpiry_IsRefusedMarkedExpiredAndBucketStays()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");
        var approval = await RequestDeleteAsync("doomed");
        _rig.Time.Advance(ApprovalRig.Ttl);

        var refused = await Assert.ThrowsAsync<ApprovalRefusedException>(() => _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local"));

        Assert.Equal("ApprovalExpired", refused.Code);
        Assert.NotNull(_rig.Vault.Buckets.Find("doomed"));
        Assert.Equal(ApprovalState.Expired, Assert.Single(await _rig.Engine.ListAsync()).State);
        Assert.Contains(_rig.AuditEvents(), e => e.Operation == "approval:expired" && e.Principal == AuditLog.VaultPrincipal && e.RequestId == approval.ApprovalId);
        Assert.Contains(_rig.AuditEvents(), e => e.Operation == "approval:approve" && e.Outcome == "denied:ApprovalExpired");
    }

    [Fact]
    public async Task ApproveAsync_JustBeforeExpiry_Runs()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");
        var approval = await RequestDeleteAsync("doomed");
        _rig.Time.Advance(ApprovalRig.Ttl - TimeSpan.FromSeconds(1));

        await _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local");

        Assert.Null(_rig.Vault.Buckets.Find("doomed"));
    }

    [Fact]
    public async Task ListAsync_PastExpiry_MarksExpiredOnceAndAuditsIt()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");
        var approval = await RequestDeleteAsync("doomed");
        _rig.Time.Advance(ApprovalRig.Ttl + TimeSpan.FromMinutes(1));

        Assert.Equal(ApprovalState.Expired, Assert.Single(await _rig.Engine.ListAsync()).State);
        Assert.Equal(ApprovalState.Expired, Assert.Single(await _rig.Engine.ListAsync()).State);

        Assert.Single(_rig.AuditEvents(), e => e.Operation == "approval:expired" && e.RequestId == approval.ApprovalId);
    }

    [Fact]
    public async Task RejectAsync_Pending_OperationNeverRunsAndCannotBeApprovedLater()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");
        var approval = await RequestDeleteAsync("doomed");

        var rejected = await _rig.Engine.RejectAsync(approval.ApprovalId, KeyB, "local");
        var refused = await Assert.ThrowsAsync<ApprovalRefusedException>(() => _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local"));

        Assert.Equal(ApprovalState.Rejected, rejected.State);
        Assert.Equal("ApprovalNotPending", refused.Code);
        Assert.NotNull(_rig.Vault.Buckets.Find("doomed"));
        Assert.Contains(_rig.AuditEvents(), e => e.Operation == "approval:rejected" && e.Principal == KeyB);
    }

    [Fact]
    public async Task ApproveAsync_BucketNoLongerEmpty_IsRefusedAndStaysPending()
    {
        var bucket = await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");
        var approval = await RequestDeleteAsync(bucket);
        await _rig.Vault.PutAsync(bucket, "arrived-meanwhile");

        var refused = await Assert.ThrowsAsync<ApprovalRefusedException>(() => _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local"));

        Assert.Equal("BucketNotEmpty", refused.Code);
        Assert.NotNull(_rig.Vault.Buckets.Find(bucket));
        Assert.Equal(ApprovalState.Pending, Assert.Single(await _rig.Engine.ListAsync()).State);
    }

    [Fact]
    public async Task ApproveAsync_UnknownId_IsNoSuchApproval()
    {
        var refused = await Assert.ThrowsAsync<ApprovalRefusedException>(() => _rig.Engine.ApproveAsync("apnope", KeyB, "local"));

        Assert.Equal("NoSuchApproval", refused.Code);
        Assert.Equal(404, refused.Status);
    }

    [Fact]
    public async Task ApproveAsync_CreateAdminKey_KeyExistsOnlyAfterApprovalWithTheRequestedSecret()
    {
        var parameters = new ApprovalParameters { AccessKeyId = "ZVNEWADMIN0000000001", Roles = ["admin"], Buckets = ["*"] };
        var approval = await _rig.Engine.RequestAsync(SensitiveOperation.CreateAdminKey, parameters, "the-new-secret", KeyA, "local");
        Assert.Null(_rig.Vault.Store.Keys.FindActive("ZVNEWADMIN0000000001"));

        await _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local");

        var (key, secret) = _rig.Vault.Store.Keys.FindActive("ZVNEWADMIN0000000001")!.Value;
        Assert.Equal("the-new-secret", secret);
        Assert.Equal(Role.Admin, key.Roles);
    }

    [Fact]
    public async Task ApproveAsync_RevokeLastAdminKey_IsRefusedAndStaysPending()
    {
        await _rig.Vault.Store.Keys.AddAsync(KeyA, "secret-a", Role.Admin, ["*"]);
        var approval = await _rig.Engine.RequestAsync(SensitiveOperation.RevokeAdminKey, new ApprovalParameters { AccessKeyId = KeyA }, null, KeyB, "local");

        var refused = await Assert.ThrowsAsync<ApprovalRefusedException>(() => _rig.Engine.ApproveAsync(approval.ApprovalId, KeyA, "local"));

        Assert.Equal("LastAdminKey", refused.Code);
        Assert.NotNull(_rig.Vault.Store.Keys.FindActive(KeyA));
    }

    [Fact]
    public async Task ApproveAsync_LowerLimits_BucketHasTheNewLimits()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "limited");
        var parameters = new ApprovalParameters { Bucket = "limited", MaxRetention = "30d", QuotaBytes = 1_000_000 };
        var approval = await _rig.Engine.RequestAsync(SensitiveOperation.ChangeBucketLimits, parameters, null, KeyA, "local");
        Assert.Equal(MaxRetention.Default, _rig.Vault.Buckets.Get("limited").Limits.MaxRetention);

        await _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local");

        var limits = _rig.Vault.Buckets.Get("limited").Limits;
        Assert.Equal(new MaxRetention(30, null), limits.MaxRetention);
        Assert.Equal(1_000_000, limits.QuotaBytes);
    }

    [Fact]
    public async Task ApproveAsync_ChangeLockConfiguration_RuleReplaced()
    {
        var bucket = await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "locked");
        await _rig.Vault.Buckets.SetObjectLockConfigurationAsync(bucket, new DefaultRetention(LockMode.Compliance, 30, null), _rig.Clock.Now);
        var parameters = new ApprovalParameters { Bucket = bucket, DefaultMode = "GOVERNANCE", DefaultDays = 1 };
        var approval = await _rig.Engine.RequestAsync(SensitiveOperation.ChangeObjectLockConfiguration, parameters, null, KeyA, "local");

        await _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local");

        Assert.Equal(new DefaultRetention(LockMode.Governance, 1, null), _rig.Vault.Buckets.Get(bucket).DefaultRetention);
    }

    [Fact]
    public async Task EveryStep_IsInTheAuditChainAndTheChainVerifies()
    {
        await _rig.Vault.CreateBucketAsync(VersioningState.Enabled, "doomed");
        var approval = await RequestDeleteAsync("doomed");
        await Assert.ThrowsAsync<ApprovalRefusedException>(() => _rig.Engine.ApproveAsync(approval.ApprovalId, KeyA, "local"));
        await _rig.Engine.ApproveAsync(approval.ApprovalId, KeyB, "local");

        var steps = _rig.AuditEvents().Where(e => e.RequestId == approval.ApprovalId).Select(e => (e.Operation, e.Principal, e.Outcome)).ToList();

        Assert.Equal(
            [("approval:requested", KeyA, "allowed"), ("approval:approve", KeyA, "denied:SelfApproval"), ("approval:approved", KeyB, "allowed")],
            steps);
        await _rig.Audit.DisposeAsync();
        Assert.True(AuditLog.Verify(_rig.AuditDirectory).Ok);
    }

    private Task<PendingApproval> RequestDeleteAsync(string bucket) =>
        _rig.Engine.RequestAsync(SensitiveOperation.DeleteBucket, new ApprovalParameters { Bucket = bucket }, null, KeyA, "local");
}
