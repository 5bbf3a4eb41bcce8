using Microsoft.AspNetCore.Http;
using Ztdr.S3.Errors;
using Ztdr.S3.Signing;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Api;

/// <summary>One authenticated S3 request on its way through an operation.</summary>
internal sealed class S3Call
{
    public S3Call(HttpContext http, RequestTarget target, SigV4Authentication authentication, AccessKey key, TrustedInstant now)
    {
        Http = http;
        Target = target;
        Authentication = authentication;
        Key = key;
        Now = now;
    }

    /// <summary>The vault's trusted time when the request arrived: what every lock decision is judged against.</summary>
    public TrustedInstant Now { get; }

    /// <summary>The version a mutation produced or removed, for the audit record.</summary>
    public string? AuditVersionId { get; set; }

    /// <summary>The lock state the mutation left its version in (or the removed version had), for the audit record.</summary>
    public Audit.AuditLock? AuditLock { get; set; }

    /// <summary>Set once this request's audit record is durable; the response may go out only after that.</summary>
    public Func<Task>? BeforeResponse { get; set; }

    public HttpContext Http { get; }

    public RequestTarget Target { get; }

    public SigV4Authentication Authentication { get; }

    public AccessKey Key { get; }

    public CancellationToken Aborted => Http.RequestAborted;

    public string Bucket => Target.Bucket ?? throw new S3Exception(S3Errors.InvalidRequest, "This operation needs a bucket.");

    public string ObjectKey => Target.Key ?? throw new S3Exception(S3Errors.InvalidRequest, "This operation needs an object key.");

    public string? Header(string name)
    {
        var values = Http.Request.Headers[name];
        return values.Count == 0 ? null : values.ToString();
    }

    public bool HeaderIsTrue(string name) => string.Equals(Header(name)?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    public bool Can(S3Action action) => Permissions.Allows(Key.Roles, action);

    /// <summary>Refuses with AccessDenied unless the key's roles allow <paramref name="action"/>.</summary>
    public void Require(S3Action action)
    {
        if (!Can(action))
        {
            throw new S3Exception(S3Errors.AccessDenied, $"Access Denied: this key's roles do not allow {action}.");
        }
    }

    /// <summary>
    /// What this request brings to the lock engine for a delete or retention change: the bypass header, and whether the
    /// key may bypass governance at all (asking without the permission is itself refused, as AWS does).
    /// </summary>
    public Storage.DeleteAuthority Authority()
    {
        var requested = HeaderIsTrue("x-amz-bypass-governance-retention");
        return new Storage.DeleteAuthority(requested, requested && Can(S3Action.BypassGovernanceRetention));
    }
}
