using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Ztdr.S3.Errors;
using Ztdr.S3.Signing;
using Ztdr.Vault.Api;
using Ztdr.Vault.Approvals;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Management;

/// <summary>
/// The management plane's JSON-over-HTTP API under /admin/v1: create, list and revoke access keys; health; four-eyes
/// approvals, bucket limits and restoring clock trust (<see cref="ApprovalEndpoints"/>). Over the Unix socket the caller
/// is trusted because the OS already authenticated it (only the vault's user can reach a 0600 socket in a 0700 folder),
/// as principal "local"; a socket request may also carry SigV4 from an admin key, and sensitive operations
/// (docs/approvals.md) need that signature, since four-eyes needs two keys to tell apart. Over TCP every request must
/// carry SigV4 from an active admin key, and failed authentications are slowed down per source like on the S3 listener.
/// There is no operation on objects, versions or locks, so nothing here can shorten a retention period.
/// </summary>
public sealed class ManagementApi
{
    public const string PathPrefix = "/admin/v1/";

    /// <summary>The principal of an unsigned request on the Unix socket: the vault's OS user, not any key.</summary>
    public const string LocalPrincipal = "local";

    /// <summary>Management requests are small JSON documents; anything bigger is refused before it is buffered.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private static readonly string Version =
        typeof(ManagementApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly VaultStore _store;
    private readonly AuthFailureLimiter _authFailures;
    private readonly SigV4Verifier _verifier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private readonly Func<HealthReport, HealthReport> _health;
    private readonly ApprovalEngine _approvals;
    private readonly ApprovalEndpoints _endpoints;

    /// <remarks>
    /// <c>requestTime</c> is where true time lies for judging signed requests (the secure clock's window); the wall
    /// clock of <c>time</c> when null.
    /// </remarks>
    public ManagementApi(VaultStore store, AuthFailureLimiter authFailures, TimeProvider time, ILogger<ManagementApi> logger, ApprovalEngine approvals, SecureClock clock, Func<HealthReport, HealthReport>? health = null, Func<ServerTimeWindow>? requestTime = null)
    {
        _approvals = approvals;
        _endpoints = new ApprovalEndpoints(store, approvals, clock, time);
        _health = health ?? (report => report);
        _store = store;
        _authFailures = authFailures;
        _time = time;
        _logger = logger;
        _verifier = requestTime is null
            ? new SigV4Verifier(id => store.Keys.FindActive(id)?.Secret, time, [])
            : new SigV4Verifier(id => store.Keys.FindActive(id)?.Secret, requestTime, []);
    }

    /// <summary>Handles a request from the Unix socket: the peer is the vault's own OS user.</summary>
    public Task InvokeLocalAsync(HttpContext http) => InvokeAsync(http, signed: false);

    /// <summary>Handles a request from the TCP listener: it must be signed by an admin key.</summary>
    public Task InvokeRemoteAsync(HttpContext http) => InvokeAsync(http, signed: true);

    private async Task InvokeAsync(HttpContext http, bool signed)
    {
        http.Response.Headers.CacheControl = "no-store";
        var principal = signed ? null : LocalPrincipal;
        var source = signed ? AuthFailureLimiter.SourceOf(http.Connection.RemoteIpAddress) : "local";
        try
        {
            var maxBody = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (maxBody is { IsReadOnly: false })
            {
                maxBody.MaxRequestBodySize = MaxBodyBytes;
            }

            var body = await ReadBodyAsync(http);
            // On the socket a signature is optional; when present it must verify like one over TCP.
            if (signed || http.Request.Headers.Authorization.Count > 0)
            {
                principal = await AuthenticateAsync(http, body);
            }

            await RouteAsync(new ManagementCall(http, body, principal!, source));
        }
        catch (ManagementRequestException e)
        {
            await WriteErrorAsync(http, e.Error);
        }
        catch (ApprovalRefusedException e)
        {
            await WriteErrorAsync(http, new ManagementError(e.Code, e.Status, e.Message));
        }
        catch (ArgumentException e)
        {
            await WriteErrorAsync(http, ManagementErrors.InvalidRequest(e.Message));
        }
        catch (Ztdr.S3.Errors.S3Exception e) when (e.Error.Status < 500)
        {
            // A bucket refused by the storage layer (NoSuchBucket, BucketNotEmpty, a rule beyond the maximum).
            await WriteErrorAsync(http, new ManagementError(e.Error.Code, e.Error.Status, e.Message));
        }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(http, ManagementErrors.InvalidRequest($"the request body is too large or incomplete: {e.Message}"));
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; every operation here is one transaction, committed or not.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "management request {Method} {Path} failed", http.Request.Method, http.Request.Path.Value);
            await WriteErrorAsync(http, ManagementErrors.Internal());
        }
    }

    private async Task<string> AuthenticateAsync(HttpContext http, byte[] body)
    {
        var source = AuthFailureLimiter.SourceOf(http.Connection.RemoteIpAddress);
        string accessKeyId;
        ManagementError? failure = null;
        try
        {
            var authentication = _verifier.Verify(new Api.HttpSignedRequest(http));
            accessKeyId = authentication.AccessKeyId;
            if (authentication.PayloadMode != PayloadMode.SignedSha256)
            {
                failure = ManagementErrors.AuthenticationRequired("sign the payload (x-amz-content-sha256 must be the body's SHA-256)");
            }
            else if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(body)), authentication.PayloadSha256Hex, StringComparison.Ordinal))
            {
                failure = ManagementErrors.AuthenticationRequired("the body does not match its signed SHA-256");
            }
            else if (_store.Keys.FindActive(accessKeyId)?.Key is not { } key)
            {
                failure = ManagementErrors.AuthenticationRequired($"key {accessKeyId} is unknown or revoked");
            }
            else if (!key.Roles.HasFlag(Role.Admin))
            {
                failure = ManagementErrors.NotAdmin(accessKeyId);
            }
        }
        catch (S3Exception e)
        {
            accessKeyId = e.Details.FirstOrDefault(d => d.Key == "AWSAccessKeyId").Value ?? "-";
            failure = ManagementErrors.AuthenticationRequired($"{e.Error.Code}: {e.Error.DefaultMessage}");
        }

        if (failure is null)
        {
            return accessKeyId;
        }

        // As on the S3 plane: only failures meet the limiter, per (source, key) for a known key and per source
        // otherwise, so a correctly signed admin request is never refused because of someone else's failures.
        var party = _store.Keys.FindActive(accessKeyId) is not null ? accessKeyId : null;
        if (_authFailures.IsThrottled(source, party))
        {
            throw new ManagementRequestException(ManagementErrors.SlowDown());
        }

        var delay = _authFailures.RecordFailure(source, party);
        _logger.LogWarning("management authentication from {Source} failed ({Code}, key {AccessKeyId}); answer delayed {DelayMs} ms", source, failure.Code, accessKeyId, (long)delay.TotalMilliseconds);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, http.RequestAborted);
        }

        throw new ManagementRequestException(failure);
    }

    private Task RouteAsync(ManagementCall call)
    {
        var (http, body, principal, _) = call;
        var path = http.Request.Path.Value ?? "/";
        var method = http.Request.Method;
        var route = path.StartsWith(PathPrefix, StringComparison.Ordinal) ? path[PathPrefix.Length..].TrimEnd('/') : null;
        var segments = route?.Split('/') ?? [];
        return segments switch
        {
            ["health"] => method == "GET" ? WriteAsync(http, 200, _health(new HealthReport("ok", Version)), ManagementJson.Default.HealthReport) : NotAllowed(),
            ["metrics"] => method == "GET" ? WriteMetricsAsync(http) : NotAllowed(),
            ["keys"] => method switch
            {
                "GET" => WriteAsync(http, 200, new KeyList(_store.Keys.List().Select(KeyInfo.From).ToArray()), ManagementJson.Default.KeyList),
                "POST" => CreateKeyAsync(call),
                _ => NotAllowed(),
            },
            ["keys", var id, "revoke"] => method == "POST" ? RevokeKeyAsync(call, id) : NotAllowed(),
            ["approvals"] => method == "GET" ? _endpoints.ListAsync(call) : NotAllowed(),
            ["approvals", var id, "approve"] => method == "POST" ? _endpoints.ApproveAsync(call, id) : NotAllowed(),
            ["approvals", var id, "reject"] => method == "POST" ? _endpoints.RejectAsync(call, id) : NotAllowed(),
            ["clock", "trust"] => method == "POST" ? _endpoints.TrustClockAsync(call) : NotAllowed(),
            ["buckets", var bucket, "limits"] => method switch
            {
                "GET" => _endpoints.GetLimitsAsync(call, bucket),
                "POST" => _endpoints.ChangeLimitsAsync(call, bucket),
                _ => NotAllowed(),
            },
            _ => throw new ManagementRequestException(ManagementErrors.NotFound(path)),
        };

        Task NotAllowed() => throw new ManagementRequestException(ManagementErrors.MethodNotAllowed(method, path));
    }

    private async Task CreateKeyAsync(ManagementCall call)
    {
        var (http, body, principal, source) = call;
        CreateKeyRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(body, ManagementJson.Default.CreateKeyRequest);
        }
        catch (JsonException e)
        {
            throw new ManagementRequestException(ManagementErrors.InvalidRequest($"the body is not a key request: {e.Message}"));
        }

        if (request?.Roles is null || request.Buckets is null)
        {
            throw new ManagementRequestException(ManagementErrors.InvalidRequest("a key request needs \"roles\" and \"buckets\""));
        }

        Role roles;
        try
        {
            roles = RoleNames.Parse(request.Roles);
        }
        catch (ArgumentException e)
        {
            throw new ManagementRequestException(ManagementErrors.InvalidRequest(e.Message));
        }

        var buckets = ValidateBuckets(request.Buckets);
        if (request.QuotaBytes is <= 0)
        {
            throw new ManagementRequestException(ManagementErrors.InvalidRequest("a key's quota must be a positive number of bytes"));
        }

        var id = AccessKeys.NewAccessKeyId();
        var secret = AccessKeys.NewSecretAccessKey();

        // Bootstrap: with fewer than two active admin keys there is no second pair of eyes to ask, so the second admin
        // key is created at once (audited as such). From then on an admin key needs two (docs/approvals.md).
        if (roles.HasFlag(Role.Admin) && _store.Keys.ActiveAdminCount() >= 2)
        {
            var parameters = new ApprovalParameters { AccessKeyId = id, Roles = RoleNames.Format(roles), Buckets = buckets, QuotaBytes = request.QuotaBytes };
            await RequireKeyAsync(call, SensitiveOperation.CreateAdminKey, parameters);
            var approval = await _approvals.RequestAsync(SensitiveOperation.CreateAdminKey, parameters, secret, principal, source, http.RequestAborted);
            _logger.LogInformation("admin key {AccessKeyId} requested by {Principal}: approval {ApprovalId}", id, principal, approval.ApprovalId);
            await WriteAsync(http, 202, new CreatedKey(id, secret, parameters.Roles, buckets, approval.Created) { ApprovalId = approval.ApprovalId }, ManagementJson.Default.CreatedKey);
            return;
        }

        _approvals.RefuseWhileReadOnly();
        var key = await _store.Keys.AddAsync(id, secret, roles, buckets, request.QuotaBytes, http.RequestAborted);
        var operation = roles.HasFlag(Role.Admin) ? "keys:create-admin-bootstrap" : "keys:create";
        var quota = request.QuotaBytes is { } q ? $" quota {q}" : "";
        await _approvals.AuditImmediateAsync(principal, operation, $"key {id} roles {string.Join(',', RoleNames.Format(roles))} buckets {string.Join(',', buckets)}{quota}", source);
        _logger.LogInformation("access key {AccessKeyId} created by {Principal}: roles {Roles}, buckets {Buckets}, profile {Profile}", id, principal, roles, string.Join(',', buckets), request.ProfileName);
        await WriteAsync(http, 201, new CreatedKey(id, secret, RoleNames.Format(key.Roles), key.Buckets, key.Created), ManagementJson.Default.CreatedKey);
    }

    private async Task RevokeKeyAsync(ManagementCall call, string id)
    {
        var (http, _, principal, source) = call;
        var target = _store.Keys.List().FirstOrDefault(k => k.AccessKeyId == id);
        if (target is { Revoked: null } && target.Roles.HasFlag(Role.Admin))
        {
            if (_store.Keys.ActiveAdminCount() <= 1)
            {
                throw new ManagementRequestException(ManagementErrors.LastAdminKey(id));
            }

            var parameters = new ApprovalParameters { AccessKeyId = id };
            await RequireKeyAsync(call, SensitiveOperation.RevokeAdminKey, parameters);
            var approval = await _approvals.RequestAsync(SensitiveOperation.RevokeAdminKey, parameters, null, principal, source, http.RequestAborted);
            _logger.LogInformation("revocation of admin key {AccessKeyId} requested by {Principal}: approval {ApprovalId}", id, principal, approval.ApprovalId);
            await WriteAsync(http, 202, KeyInfo.From(target) with { ApprovalId = approval.ApprovalId }, ManagementJson.Default.KeyInfo);
            return;
        }

        _approvals.RefuseWhileReadOnly();
        var outcome = await _store.Keys.RevokeAsync(id, http.RequestAborted);
        switch (outcome)
        {
            case RevokeOutcome.NotFound:
                throw new ManagementRequestException(ManagementErrors.NoSuchAccessKey(id));
            case RevokeOutcome.LastAdminKey:
                throw new ManagementRequestException(ManagementErrors.LastAdminKey(id));
        }

        if (outcome == RevokeOutcome.Revoked)
        {
            await _approvals.AuditImmediateAsync(principal, "keys:revoke", $"key {id}", source);
        }

        _logger.LogInformation("access key {AccessKeyId} revoked by {Principal} ({Outcome})", id, principal, outcome);
        var key = _store.Keys.List().Single(k => k.AccessKeyId == id);
        await WriteAsync(http, 200, KeyInfo.From(key), ManagementJson.Default.KeyInfo);
    }

    /// <summary>A sensitive request must be signed by an admin key; "local" alone is refused, and the refusal audited.</summary>
    private Task RequireKeyAsync(ManagementCall call, string operation, ApprovalParameters parameters) =>
        ApprovalEndpoints.RequireKeyAsync(_approvals, call, operation, parameters, $"requesting {operation}");

    private static string[] ValidateBuckets(IReadOnlyList<string> buckets)
    {
        var distinct = buckets.Select(b => b.Trim()).Where(b => b.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 0)
        {
            throw new ManagementRequestException(ManagementErrors.InvalidRequest("name at least one bucket, or '*' for every bucket"));
        }

        if (distinct.Contains("*") && distinct.Length > 1)
        {
            throw new ManagementRequestException(ManagementErrors.InvalidRequest("'*' already means every bucket; give it alone"));
        }

        foreach (var bucket in distinct)
        {
            if (bucket != "*" && !BucketNames.IsValid(bucket))
            {
                throw new ManagementRequestException(ManagementErrors.InvalidRequest($"'{bucket}' is not a valid bucket name (3-63 lower-case letters, digits, dots and hyphens)"));
            }
        }

        return distinct;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        return buffer.Length > MaxBodyBytes
            ? throw new ManagementRequestException(ManagementErrors.InvalidRequest($"the body is larger than {MaxBodyBytes} bytes"))
            : buffer.ToArray();
    }

    private Task WriteMetricsAsync(HttpContext http)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = MetricsText.ContentType;
        return http.Response.WriteAsync(MetricsText.Write(_health(new HealthReport("ok", Version))), http.RequestAborted);
    }

    internal static async Task WriteAsync<T>(HttpContext http, int status, T value, JsonTypeInfo<T> type)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, value, type, http.RequestAborted);
    }

    private static Task WriteErrorAsync(HttpContext http, ManagementError error) =>
        http.Response.HasStarted
            ? Task.CompletedTask
            : WriteAsync(http, error.Status, new ManagementErrorBody(error.Code, error.Message), ManagementJson.Default.ManagementErrorBody);

    internal sealed class ManagementRequestException(ManagementError error) : Exception(error.Message)
    {
        public ManagementError Error { get; } = error;
    }
}

/// <summary>One management request: its body, who made it (an admin key id, or "local"), and where from.</summary>
internal sealed record ManagementCall(HttpContext Http, byte[] Body, string Principal, string Source);
