using Microsoft.AspNetCore.Http;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Api;

/// <summary>
/// Turns requests into audit records: every mutation (allowed or not) and every denial, stamped with trusted time,
/// appended durably before the response leaves.
/// </summary>
internal sealed class RequestAudit
{
    private readonly IAuditLog _log;
    private readonly SecureClock _clock;

    public RequestAudit(IAuditLog log, SecureClock clock)
    {
        _log = log;
        _clock = clock;
    }

    /// <summary>Mutations are audited whatever their outcome; reads only when denied (403).</summary>
    public static bool ShouldAudit(string method, int status) =>
        method is "PUT" or "POST" or "DELETE" || status == 403;

    public Task RequestAsync(HttpContext http, string operation, string? principal, RequestTarget? target, string? versionId, string outcome, string requestId, AuditLock? lockState = null) =>
        _log.AppendAsync(new AuditEvent(
            _clock.Now.Now,
            principal ?? "unauthenticated",
            operation,
            target?.Bucket,
            target?.Key,
            versionId,
            outcome,
            http.Connection.RemoteIpAddress?.ToString() ?? "local",
            requestId)
        { Lock = lockState });

    /// <summary>One entry of a multi-object request (DeleteObjects), audited on its own.</summary>
    public Task EntryAsync(S3Call call, string operation, string key, string? versionId, string outcome, AuditLock? lockState = null) =>
        _log.AppendAsync(new AuditEvent(
            _clock.Now.Now,
            call.Key.AccessKeyId,
            operation,
            call.Target.Bucket,
            key,
            versionId,
            outcome,
            call.Http.Connection.RemoteIpAddress?.ToString() ?? "local",
            call.Http.Response.Headers["x-amz-request-id"].ToString())
        { Lock = lockState });
}
