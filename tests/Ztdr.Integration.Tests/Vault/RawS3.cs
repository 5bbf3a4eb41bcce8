using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Ztdr.S3.Signing;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>
/// Hand-built, SigV4-signed HTTP requests for what SDKs will not send: hostile bodies, odd headers, skewed clocks,
/// unsigned headers. Signing uses the project's own signer, which is checked against AWS's published vectors.
/// </summary>
internal sealed class RawS3 : IDisposable
{
    private readonly VaultProcess _vault;
    private readonly HttpClient _http;

    public RawS3(VaultProcess vault)
    {
        _vault = vault;
        _http = new HttpClient(new VaultCertificateTrust(vault.CaBundle).CreateHandler()) { Timeout = TimeSpan.FromSeconds(60) };
    }

    public string HostHeader => $"127.0.0.1:{_vault.Port}";

    public SigV4Signer Signer(string profile = VaultProcess.AllRolesProfile, TimeProvider? time = null, string? secretOverride = null)
    {
        var (id, secret) = _vault.Credentials(profile);
        return new SigV4Signer(id, secretOverride ?? secret, "us-east-1", time ?? TimeProvider.System);
    }

    /// <summary>Signs (payload hash over the body) and sends; extra headers are signed unless listed in <paramref name="unsignedHeaders"/>.</summary>
    public async Task<RawResponse> SendAsync(
        string method,
        string rawTarget,
        byte[]? body = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        SigV4Signer? signer = null,
        IEnumerable<KeyValuePair<string, string>>? unsignedHeaders = null,
        string? host = null)
    {
        body ??= [];
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var all = new List<KeyValuePair<string, string>> { new("host", host ?? HostHeader) };
        all.AddRange(headers ?? []);
        var signed = (signer ?? Signer()).SignHeaders(method, rawTarget, all, payloadHash);
        return await SendRawAsync(method, rawTarget, body, signed.Headers.Concat(unsignedHeaders ?? []));
    }

    public async Task<RawResponse> SendRawAsync(string method, string rawTarget, byte[]? body, IEnumerable<KeyValuePair<string, string>> headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_vault.Endpoint + rawTarget, UriKind.Absolute));
        // Keep the target byte-exact: Uri would otherwise unescape or re-escape parts of it.
        request.RequestUri = CreateExactUri(_vault.Endpoint + rawTarget);
        if (body is not null && (body.Length > 0 || method is "PUT" or "POST"))
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, value) in headers)
        {
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else if (name.StartsWith("content-", StringComparison.OrdinalIgnoreCase) && request.Content is not null)
            {
                if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
                }
                else
                {
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await _http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var responseHeaders = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new RawResponse((int)response.StatusCode, bytes, responseHeaders);
    }

    public Task<RawResponse> GetUrlAsync(string url) => SendRawAsync("GET", url, null, []);

    public void Dispose() => _http.Dispose();

    private static Uri CreateExactUri(string value) => new(value, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
}

internal sealed record RawResponse(int Status, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>The S3 error code of an XML error body, or null.</summary>
    public string? ErrorCode => Body.Length == 0 ? null : XDocument.Parse(Text).Root?.Element("Code")?.Value;

    public override string ToString() => $"{Status} {Text}";
}
