using Microsoft.AspNetCore.Http;
using Ztdr.S3.Errors;
using Ztdr.S3.Signing;
using Ztdr.Vault.Identity;

namespace Ztdr.Vault.Api;

/// <summary>One authenticated S3 request on its way through an operation.</summary>
internal sealed class S3Call
{
    public S3Call(HttpContext http, RequestTarget target, SigV4Authentication authentication, AccessKey key)
    {
        Http = http;
        Target = target;
        Authentication = authentication;
        Key = key;
    }

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
}
