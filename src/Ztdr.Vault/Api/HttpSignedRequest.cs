using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Ztdr.S3.Signing;

namespace Ztdr.Vault.Api;

/// <summary>The SigV4 view of an ASP.NET request (S3 and management planes): the raw target exactly as sent and the headers as received.</summary>
internal sealed class HttpSignedRequest : ISignedRequest
{
    private readonly HttpRequest _request;

    public HttpSignedRequest(HttpContext context)
    {
        _request = context.Request;
        RawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (context.Request.Path + context.Request.QueryString);
    }

    public string Method => _request.Method;

    public string RawTarget { get; }

    public IEnumerable<string> HeaderNames => _request.Headers.Keys.Select(k => k.ToLowerInvariant());

    public bool TryGetHeader(string lowerCaseName, out string value)
    {
        if (_request.Headers.TryGetValue(lowerCaseName, out var values))
        {
            value = string.Join(',', values.Select(v => v ?? string.Empty));
            return true;
        }

        value = string.Empty;
        return false;
    }
}
