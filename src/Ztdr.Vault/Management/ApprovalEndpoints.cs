using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ztdr.Vault.Approvals;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Management;

/// <summary>
/// The four-eyes part of the management API (docs/approvals.md): list, approve and reject approvals; request a change of
/// a bucket's limits or the restoring of clock trust. Approving, rejecting and requesting need an admin key's signature:
/// the socket's "local" principal is no key, and four-eyes needs two keys to tell apart.
/// </summary>
internal sealed class ApprovalEndpoints
{
    private readonly VaultStore _store;
    private readonly ApprovalEngine _approvals;
    private readonly SecureClock _clock;
    private readonly TimeProvider _time;

    public ApprovalEndpoints(VaultStore store, ApprovalEngine approvals, SecureClock clock, TimeProvider time)
    {
        _store = store;
        _approvals = approvals;
        _clock = clock;
        _time = time;
    }

    public async Task ListAsync(ManagementCall call)
    {
        var approvals = await _approvals.ListAsync(call.Http.RequestAborted);
        await ManagementApi.WriteAsync(call.Http, 200, new ApprovalList(approvals.Select(ApprovalInfo.From).ToArray()), ManagementJson.Default.ApprovalList);
    }

    public async Task ApproveAsync(ManagementCall call, string approvalId)
    {
        await RequireKeyAsync(_approvals, call, "approve", new ApprovalParameters(), $"approving {approvalId}");
        var approval = await _approvals.ApproveAsync(approvalId, call.Principal, call.Source, call.Http.RequestAborted);
        await ManagementApi.WriteAsync(call.Http, 200, ApprovalInfo.From(approval), ManagementJson.Default.ApprovalInfo);
    }

    public async Task RejectAsync(ManagementCall call, string approvalId)
    {
        await RequireKeyAsync(_approvals, call, "reject", new ApprovalParameters(), $"rejecting {approvalId}");
        var approval = await _approvals.RejectAsync(approvalId, call.Principal, call.Source, call.Http.RequestAborted);
        await ManagementApi.WriteAsync(call.Http, 200, ApprovalInfo.From(approval), ManagementJson.Default.ApprovalInfo);
    }

    /// <summary>
    /// Proposes a time as true time now (the vault's wall clock unless the body names one). Only while the clock is
    /// untrusted, and never behind the vault's current time: trusted time never moves backwards.
    /// </summary>
    public async Task TrustClockAsync(ManagementCall call)
    {
        var request = call.Body.Length == 0 ? new TrustClockRequest(null) : Parse(call.Body, ManagementJson.Default.TrustClockRequest, "a clock trust request");
        var now = _clock.Now;
        var proposed = (request.TrustedTime ?? _time.GetUtcNow()).ToUniversalTime();
        var parameters = new ApprovalParameters { ProposedTime = proposed, VaultTimeAtRequest = now.Now };
        await RequireKeyAsync(_approvals, call, SensitiveOperation.TrustClock, parameters, "restoring clock trust");
        if (now.Trusted)
        {
            throw new ApprovalRefusedException("ClockAlreadyTrusted", 409, "the vault's clock is trusted already; there is nothing to restore");
        }

        if (proposed < now.Now)
        {
            throw new ApprovalRefusedException("InvalidRequest", 400, $"the proposed time {proposed:O} is behind the vault's current time {now.Now:O} (the audit chain's last record); trusted time never moves backwards. Check the wall clock");
        }

        var approval = await _approvals.RequestAsync(SensitiveOperation.TrustClock, parameters, null, call.Principal, call.Source, call.Http.RequestAborted);
        await ManagementApi.WriteAsync(call.Http, 202, ApprovalInfo.From(approval), ManagementJson.Default.ApprovalInfo);
    }

    public Task GetLimitsAsync(ManagementCall call, string bucket)
    {
        var limits = _store.Buckets.Get(bucket).Limits;
        return ManagementApi.WriteAsync(call.Http, 200, new BucketLimitsInfo(bucket, limits.MaxRetention?.ToString(), limits.WriteOnce, limits.QuotaBytes), ManagementJson.Default.BucketLimitsInfo);
    }

    /// <summary>
    /// Requests new limits for a bucket. The maximum retention is only ever lowered (a higher one is what a stolen admin
    /// key would want for the lock-cost attack), and never below the bucket's default rule; any change of the quota,
    /// up or down, needs four-eyes too. Write-once never changes.
    /// </summary>
    public async Task ChangeLimitsAsync(ManagementCall call, string bucket)
    {
        var request = Parse(call.Body, ManagementJson.Default.ChangeBucketLimitsRequest, "a bucket limits request");
        var record = _store.Buckets.Get(bucket);
        var max = SensitiveOperations.ParseMaxRetention(request.MaxRetention);
        if (request.QuotaBytes is < 0)
        {
            throw new ArgumentException("quotaBytes must not be negative");
        }

        var now = _clock.Now;
        var current = record.Limits.MaxRetention;
        if (current is not null && (max is null || max.LatestFrom(now.Now) > current.LatestFrom(now.Now)))
        {
            throw new ApprovalRefusedException("MaxRetentionRaise", 409, $"bucket {bucket}'s maximum retention {current} can only be lowered, never raised or removed (docs/approvals.md)");
        }

        if (max == current && request.QuotaBytes == record.Limits.QuotaBytes)
        {
            throw new ArgumentException($"bucket {bucket} has these limits already");
        }

        if (LockEngine.CheckDefaultRuleLimit(record.DefaultRetention, max, now) is not null)
        {
            throw new ApprovalRefusedException("InvalidRequest", 400, $"bucket {bucket}'s default retention rule is longer than {max}; shorten the rule first");
        }

        var parameters = new ApprovalParameters { Bucket = bucket, MaxRetention = max?.ToString(), QuotaBytes = request.QuotaBytes };
        await RequireKeyAsync(_approvals, call, SensitiveOperation.ChangeBucketLimits, parameters, $"changing bucket {bucket}'s limits");
        var approval = await _approvals.RequestAsync(SensitiveOperation.ChangeBucketLimits, parameters, null, call.Principal, call.Source, call.Http.RequestAborted);
        await ManagementApi.WriteAsync(call.Http, 202, ApprovalInfo.From(approval), ManagementJson.Default.ApprovalInfo);
    }

    /// <summary>Refuses (and audits) an unsigned socket caller: it is no key, so it can neither request nor decide.</summary>
    internal static async Task RequireKeyAsync(ApprovalEngine approvals, ManagementCall call, string operation, ApprovalParameters parameters, string what)
    {
        if (call.Principal != ManagementApi.LocalPrincipal)
        {
            return;
        }

        var refusal = ApprovalRefusedException.AdminKeyRequired(what);
        await approvals.RefusedRequestAsync(call.Principal, operation, parameters.Bucket, parameters.Summary(), refusal, call.Source);
        throw refusal;
    }

    private static T Parse<T>(byte[] body, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new ArgumentException($"the body is not {what}");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the body is not {what}: {e.Message}", e);
        }
    }
}
