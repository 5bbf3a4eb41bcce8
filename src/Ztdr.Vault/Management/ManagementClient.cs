using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ztdr.S3.Signing;

namespace Ztdr.Vault.Management;

/// <summary>
/// Talks to a running vault's management API: over its Unix socket (the default; the OS user is the credential), or
/// over HTTPS to <c>--admin-listen</c>, signing every request with an admin key. Every failure is a
/// <see cref="ManagementException"/> whose message is one line a person can act on.
/// </summary>
public sealed class ManagementClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _unreachable;

    private ManagementClient(HttpClient http, string unreachable)
    {
        _http = http;
        _unreachable = unreachable;
    }

    /// <summary>A client for the vault serving <paramref name="dataDirectory"/>, through <c>DIR/admin.sock</c>.</summary>
    public static ManagementClient ForSocket(string dataDirectory) => ForSocket(dataDirectory, null, TimeProvider.System);

    /// <summary>
    /// Through <c>DIR/admin.sock</c>, signing every request with <paramref name="adminKey"/> when given: sensitive
    /// operations and approvals need a key to tell the two admins apart (docs/approvals.md).
    /// </summary>
    public static ManagementClient ForSocket(string dataDirectory, (string AccessKeyId, string SecretAccessKey)? adminKey, TimeProvider time)
    {
        var directory = Path.GetFullPath(dataDirectory);
        var socket = ManagementSocket.PathFor(directory);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        };
        HttpMessageHandler outer = adminKey is { } key
            ? new SigningHandler(new SigV4Signer(key.AccessKeyId, key.SecretAccessKey, SigV4Verifier.AlwaysAcceptedRegion, time)) { InnerHandler = handler }
            : handler;
        var http = new HttpClient(outer) { BaseAddress = new Uri("http://localhost"), Timeout = TimeSpan.FromMinutes(1) };
        return new ManagementClient(http, $"the vault is not running (no management socket at {socket}); start it with 'ztdr-vault serve --data {directory}'");
    }

    /// <summary>
    /// A client for <c>--admin-listen</c> at <paramref name="endpoint"/> (https://HOST:PORT), signing with an admin key
    /// and trusting <paramref name="caBundle"/> (PEM) when given, the system's roots otherwise.
    /// </summary>
    public static ManagementClient ForEndpoint(Uri endpoint, string accessKeyId, string secretAccessKey, string? caBundle, TimeProvider time)
    {
        var handler = new SocketsHttpHandler();
        if (caBundle is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caBundle);
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }

        var signing = new SigningHandler(new SigV4Signer(accessKeyId, secretAccessKey, SigV4Verifier.AlwaysAcceptedRegion, time)) { InnerHandler = handler };
        var http = new HttpClient(signing) { BaseAddress = endpoint, Timeout = TimeSpan.FromMinutes(1) };
        return new ManagementClient(http, $"the vault's management API at {endpoint} does not answer; is 'ztdr-vault serve --admin-listen' running there?");
    }

    public Task<HealthReport> HealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "health", null, ManagementJson.Default.HealthReport, cancellationToken);

    public Task<CreatedKey> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "keys", JsonContent.Create(request, ManagementJson.Default.CreateKeyRequest), ManagementJson.Default.CreatedKey, cancellationToken);

    public async Task<IReadOnlyList<KeyInfo>> ListKeysAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, "keys", null, ManagementJson.Default.KeyList, cancellationToken)).Keys;

    public Task<KeyInfo> RevokeKeyAsync(string accessKeyId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"keys/{Uri.EscapeDataString(accessKeyId)}/revoke", null, ManagementJson.Default.KeyInfo, cancellationToken);

    public async Task<IReadOnlyList<ApprovalInfo>> ListApprovalsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, "approvals", null, ManagementJson.Default.ApprovalList, cancellationToken)).Approvals;

    public Task<ApprovalInfo> ApproveAsync(string approvalId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"approvals/{Uri.EscapeDataString(approvalId)}/approve", null, ManagementJson.Default.ApprovalInfo, cancellationToken);

    public Task<ApprovalInfo> RejectAsync(string approvalId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"approvals/{Uri.EscapeDataString(approvalId)}/reject", null, ManagementJson.Default.ApprovalInfo, cancellationToken);

    public Task<ApprovalInfo> TrustClockAsync(TrustClockRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "clock/trust", JsonContent.Create(request, ManagementJson.Default.TrustClockRequest), ManagementJson.Default.ApprovalInfo, cancellationToken);

    public Task<BucketLimitsInfo> GetBucketLimitsAsync(string bucket, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"buckets/{Uri.EscapeDataString(bucket)}/limits", null, ManagementJson.Default.BucketLimitsInfo, cancellationToken);

    public Task<ApprovalInfo> ChangeBucketLimitsAsync(string bucket, ChangeBucketLimitsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"buckets/{Uri.EscapeDataString(bucket)}/limits", JsonContent.Create(request, ManagementJson.Default.ChangeBucketLimitsRequest), ManagementJson.Default.ApprovalInfo, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string route, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, ManagementApi.PathPrefix + route) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied })
        {
            throw new ManagementException("PermissionDenied", "permission denied on the vault's management socket; run this command as the user the vault runs as", e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new ManagementException("VaultNotRunning", _unreachable, e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.SecureConnectionError)
        {
            throw new ManagementException("TlsFailed", $"the TLS connection to the management API failed ({e.Message}); pass the vault's CA with --ca-bundle (DIR/tls/ca.crt)", e);
        }

        using (response)
        {
            var json = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return JsonSerializer.Deserialize(json, type) ?? throw new ManagementException("InvalidResponse", "the vault sent an empty answer");
            }

            ManagementErrorBody? error = null;
            try
            {
                error = JsonSerializer.Deserialize(json, ManagementJson.Default.ManagementErrorBody);
            }
            catch (JsonException)
            {
                // Not one of ours (a proxy's page, say): reported by status below.
            }

            throw error is { Code: not null, Message: not null }
                ? new ManagementException(error.Code, error.Message)
                : new ManagementException("InvalidResponse", $"the management API answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary>Signs each request with SigV4 over its exact body, the way the management listener verifies it.</summary>
    private sealed class SigningHandler(SigV4Signer signer) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            if (request.Content is not null)
            {
                // Buffered once so the bytes sent are the bytes signed.
                var buffered = new ByteArrayContent(body);
                foreach (var header in request.Content.Headers)
                {
                    buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request.Content = buffered;
            }

            var uri = request.RequestUri!;
            var signed = signer.SignHeaders(request.Method.Method, uri.PathAndQuery, [new("host", uri.Authority)], Convert.ToHexStringLower(SHA256.HashData(body)));
            foreach (var (name, value) in signed.Headers)
            {
                if (name != "host")
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
