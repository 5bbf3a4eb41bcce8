using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Ztdr.S3.Signing;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Management;
using Ztdr.Vault.Tests.Storage;

namespace Ztdr.Vault.Tests.Identity;

/// <summary>The management API's request handling against a real metadata store, without a server.</summary>
public sealed class ManagementApiTests : IDisposable
{
    private const string AdminId = "ZVADMIN0000000000001";
    private const string AdminSecret = "admin-secret-admin-secret-admin-secret-0";
    private const string BackupId = "ZVBACKUP000000000001";
    private const string BackupSecret = "backup-secret-backup-secret-backup-secr0";
    private const string Peer = "192.0.2.50";

    private readonly Approvals.ApprovalRig _rig = new();
    private readonly TestVault _vault;
    private readonly ManualClock _clock;
    private readonly AuthFailureLimiter _limiter;
    private readonly ManagementApi _api;

    public ManagementApiTests()
    {
        _vault = _rig.Vault;
        _clock = _rig.Time;
        _limiter = new AuthFailureLimiter(_clock);
        _api = new ManagementApi(_vault.Store, _limiter, _clock, NullLogger<ManagementApi>.Instance, _rig.Engine, _rig.Clock);
        _vault.Store.Keys.AddAsync(AdminId, AdminSecret, Role.Admin, ["*"]).GetAwaiter().GetResult();
        _vault.Store.Keys.AddAsync(BackupId, BackupSecret, Role.Backup, ["backups"]).GetAwaiter().GetResult();
    }

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task CreateKey_Local_ReturnsSecretOnceAndTheKeyAuthenticates()
    {
        var (status, json) = await LocalAsync("POST", "/admin/v1/keys", """{"roles":["backup","reader"],"buckets":["backups"],"profileName":"b"}""");

        Assert.Equal(201, status);
        var id = json.GetProperty("accessKeyId").GetString()!;
        var secret = json.GetProperty("secretAccessKey").GetString()!;
        Assert.StartsWith("ZV", id, StringComparison.Ordinal);
        Assert.Equal(["backup", "reader"], json.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        var (key, stored) = _vault.Store.Keys.FindActive(id)!.Value;
        Assert.Equal(secret, stored);
        Assert.Equal(Role.Backup | Role.Reader, key.Roles);
        Assert.Equal(["backups"], key.Buckets);
    }

    [Fact]
    public async Task ListKeys_Local_ShowsEveryKeyAndNoSecret()
    {
        var http = NewContext("GET", "/admin/v1/keys", string.Empty);
        await _api.InvokeLocalAsync(http);

        var text = ResponseText(http);
        Assert.Equal(200, http.Response.StatusCode);
        Assert.Contains(AdminId, text, StringComparison.Ordinal);
        Assert.Contains(BackupId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(BackupSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RevokeKey_Active_StopsItAtOnce()
    {
        var (status, json) = await LocalAsync("POST", $"/admin/v1/keys/{BackupId}/revoke");

        Assert.Equal(200, status);
        Assert.Equal(_vault.Store.Keys.List().Single(k => k.AccessKeyId == BackupId).Revoked, json.GetProperty("revoked").GetDateTimeOffset());
        Assert.Null(_vault.Store.Keys.FindActive(BackupId));
    }

    [Fact]
    public async Task RevokeKey_LastAdmin_IsRefusedAndKeyStaysActive()
    {
        var (status, json) = await LocalAsync("POST", $"/admin/v1/keys/{AdminId}/revoke");

        Assert.Equal(409, status);
        Assert.Equal("LastAdminKey", json.GetProperty("code").GetString());
        Assert.Contains("nobody able to manage keys", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.NotNull(_vault.Store.Keys.FindActive(AdminId));
    }

    [Fact]
    public async Task RevokeKey_AdminWithAnotherAdminUnsignedOnSocket_IsAdminKeyRequiredAndAudited()
    {
        await _vault.Store.Keys.AddAsync("ZVADMIN0000000000002", "second-admin-secret", Role.Admin | Role.Reader, ["*"]);

        var (status, json) = await LocalAsync("POST", $"/admin/v1/keys/{AdminId}/revoke");

        Assert.Equal(403, status);
        Assert.Equal("AdminKeyRequired", json.GetProperty("code").GetString());
        Assert.NotNull(_vault.Store.Keys.FindActive(AdminId));
        Assert.Contains(_rig.AuditEvents(), e => e.Principal == "local" && e.Outcome == "denied:AdminKeyRequired");
    }

    [Fact]
    public async Task RevokeKey_AdminSignedOnSocket_IsPendingUntilTheOtherAdminApproves()
    {
        const string Second = "ZVADMIN0000000000002";
        await _vault.Store.Keys.AddAsync(Second, "second-admin-secret", Role.Admin | Role.Reader, ["*"]);
        var request = Signed("POST", $"/admin/v1/keys/{AdminId}/revoke", string.Empty, Second, "second-admin-secret");
        await _api.InvokeLocalAsync(request);
        Assert.Equal(202, request.Response.StatusCode);
        var approvalId = JsonDocument.Parse(ResponseText(request)).RootElement.GetProperty("approvalId").GetString()!;
        Assert.NotNull(_vault.Store.Keys.FindActive(AdminId));

        var self = Signed("POST", $"/admin/v1/approvals/{approvalId}/approve", string.Empty, Second, "second-admin-secret");
        await _api.InvokeLocalAsync(self);
        var unsigned = await LocalAsync("POST", $"/admin/v1/approvals/{approvalId}/approve");
        var other = Signed("POST", $"/admin/v1/approvals/{approvalId}/approve", string.Empty, AdminId, AdminSecret);
        await _api.InvokeLocalAsync(other);

        Assert.Equal(403, self.Response.StatusCode);
        Assert.Contains("SelfApproval", ResponseText(self), StringComparison.Ordinal);
        Assert.Equal(403, unsigned.Status);
        Assert.Equal("AdminKeyRequired", unsigned.Json.GetProperty("code").GetString());
        Assert.Equal(200, other.Response.StatusCode);
        Assert.Null(_vault.Store.Keys.FindActive(AdminId));
    }

    [Fact]
    public async Task CreateKey_AdminWithTwoAdminsActive_IsPendingAndTheKeyDoesNotAuthenticate()
    {
        const string Second = "ZVADMIN0000000000002";
        await _vault.Store.Keys.AddAsync(Second, "second-admin-secret", Role.Admin, ["*"]);
        var http = Signed("POST", "/admin/v1/keys", """{"roles":["admin"],"buckets":["*"]}""", AdminId, AdminSecret);

        await _api.InvokeLocalAsync(http);

        Assert.Equal(202, http.Response.StatusCode);
        var json = JsonDocument.Parse(ResponseText(http)).RootElement;
        Assert.StartsWith("ap", json.GetProperty("approvalId").GetString(), StringComparison.Ordinal);
        Assert.Null(_vault.Store.Keys.FindActive(json.GetProperty("accessKeyId").GetString()!));
    }

    [Fact]
    public async Task CreateKey_SecondAdminWhileOnlyOneIsActive_IsCreatedAtOnceAndAuditedAsBootstrap()
    {
        var (status, json) = await LocalAsync("POST", "/admin/v1/keys", """{"roles":["admin"],"buckets":["*"]}""");

        Assert.Equal(201, status);
        Assert.NotNull(_vault.Store.Keys.FindActive(json.GetProperty("accessKeyId").GetString()!));
        Assert.Contains(_rig.AuditEvents(), e => e.Operation == "keys:create-admin-bootstrap" && e.Principal == "local");
    }

    [Fact]
    public async Task CreateKey_AuditLogReadOnly_IsStorageFullAndCreatesNoKey()
    {
        using var rig = new Approvals.ApprovalRig(readOnlyAudit: true);
        var api = new ManagementApi(rig.Vault.Store, _limiter, _clock, NullLogger<ManagementApi>.Instance, rig.Engine, rig.Clock);
        var http = NewContext("POST", "/admin/v1/keys", """{"roles":["backup"],"buckets":["*"]}""");

        await api.InvokeLocalAsync(http);

        Assert.Equal(507, http.Response.StatusCode);
        Assert.Contains("XVaultStorageFull", ResponseText(http), StringComparison.Ordinal);
        Assert.Empty(rig.Vault.Store.Keys.List());
    }

    [Fact]
    public async Task ListApprovals_LocalUnsigned_IsServed()
    {
        var (status, json) = await LocalAsync("GET", "/admin/v1/approvals");

        Assert.Equal(200, status);
        Assert.Equal(0, json.GetProperty("approvals").GetArrayLength());
    }

    [Fact]
    public async Task RevokeKey_Twice_IsIdempotentAndKeepsTheFirstTime()
    {
        Assert.Equal(RevokeOutcome.Revoked, await _vault.Store.Keys.RevokeAsync(BackupId));
        var first = _vault.Store.Keys.List().Single(k => k.AccessKeyId == BackupId).Revoked;

        Assert.Equal(RevokeOutcome.AlreadyRevoked, await _vault.Store.Keys.RevokeAsync(BackupId));
        Assert.Equal(first, _vault.Store.Keys.List().Single(k => k.AccessKeyId == BackupId).Revoked);
    }

    [Fact]
    public async Task RevokeKey_Unknown_IsNotFound()
    {
        var (status, json) = await LocalAsync("POST", "/admin/v1/keys/ZVNOSUCHKEY000000000/revoke");

        Assert.Equal(404, status);
        Assert.Equal("NoSuchAccessKey", json.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("""{"roles":["root"],"buckets":["backups"]}""")]
    [InlineData("""{"roles":[],"buckets":["backups"]}""")]
    [InlineData("""{"roles":["backup"],"buckets":[]}""")]
    [InlineData("""{"roles":["backup"],"buckets":["*","backups"]}""")]
    [InlineData("""{"roles":["backup"],"buckets":["Not_A_Bucket"]}""")]
    [InlineData("""{"roles":["backup"]}""")]
    [InlineData("not json")]
    public async Task CreateKey_InvalidRequest_IsRejectedAndCreatesNothing(string body)
    {
        var before = _vault.Store.Keys.List().Count;

        var (status, json) = await LocalAsync("POST", "/admin/v1/keys", body);

        Assert.Equal(400, status);
        Assert.Equal("InvalidRequest", json.GetProperty("code").GetString());
        Assert.Equal(before, _vault.Store.Keys.List().Count);
    }

    [Theory]
    [InlineData("GET", "/", 404)]
    [InlineData("GET", "/admin/v1/objects", 404)]
    [InlineData("DELETE", "/admin/v1/keys", 405)]
    [InlineData("GET", "/admin/v1/keys/ZV1/revoke", 405)]
    [InlineData("PUT", "/admin/v1/health", 405)]
    public async Task Invoke_UnknownOperation_IsRefused(string method, string path, int expected)
    {
        var (status, _) = await LocalAsync(method, path);
        Assert.Equal(expected, status);
    }

    [Fact]
    public async Task Health_Local_IsOk()
    {
        var (status, json) = await LocalAsync("GET", "/admin/v1/health");

        Assert.Equal(200, status);
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Remote_SignedByAdmin_IsServed()
    {
        var http = Signed("POST", "/admin/v1/keys", """{"roles":["reader"],"buckets":["*"]}""", AdminId, AdminSecret);
        await _api.InvokeRemoteAsync(http);

        Assert.Equal(201, http.Response.StatusCode);
    }

    [Theory]
    [InlineData(true, 201)]
    [InlineData(false, 403)]
    public async Task Remote_SignedWithTrueTimeWhileHostClockYearsAhead_IsServedOnlyThroughTheRequestTimeWindow(bool window, int expected)
    {
        // The host's wall clock ten years ahead; the secure clock's window still holds true time.
        var wall = new Tls.FixedTimeProvider(_clock.GetUtcNow().AddYears(10));
        var api = new ManagementApi(_vault.Store, _limiter, wall, NullLogger<ManagementApi>.Instance, _rig.Engine, _rig.Clock,
            requestTime: window ? () => ServerTimeWindow.At(_clock.GetUtcNow()) : null);
        var http = Signed("POST", "/admin/v1/keys", """{"roles":["reader"],"buckets":["*"]}""", AdminId, AdminSecret);

        await api.InvokeRemoteAsync(http);

        Assert.Equal(expected, http.Response.StatusCode);
    }

    [Fact]
    public async Task Remote_Unsigned_IsDeniedAndCountedAsAFailure()
    {
        var http = NewContext("GET", "/admin/v1/keys", string.Empty);
        await _api.InvokeRemoteAsync(http);

        Assert.Equal(403, http.Response.StatusCode);
        Assert.DoesNotContain(AdminId, ResponseText(http), StringComparison.Ordinal);
        AssertOneFailureRecorded();
    }

    [Fact]
    public async Task Remote_SignedByNonAdmin_IsDenied()
    {
        var http = Signed("GET", "/admin/v1/keys", string.Empty, BackupId, BackupSecret);
        await _api.InvokeRemoteAsync(http);

        Assert.Equal(403, http.Response.StatusCode);
        Assert.Contains("admin role", ResponseText(http), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remote_WrongSecret_IsDeniedAndCountedAsAFailure()
    {
        var http = Signed("GET", "/admin/v1/keys", string.Empty, AdminId, "not-the-secret");
        await _api.InvokeRemoteAsync(http);

        Assert.Equal(403, http.Response.StatusCode);
        AssertOneFailureRecorded(AdminId);
    }

    [Fact]
    public async Task Remote_BodyChangedAfterSigning_IsDeniedAndCreatesNothing()
    {
        var http = Signed("POST", "/admin/v1/keys", """{"roles":["reader"],"buckets":["backups"]}""", AdminId, AdminSecret);
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("""{"roles":["admin"],"buckets":["*"]}"""));
        await _api.InvokeRemoteAsync(http);

        Assert.Equal(403, http.Response.StatusCode);
        Assert.Equal(2, _vault.Store.Keys.List().Count);
    }

    [Fact]
    public async Task Remote_RevokedAdminKey_IsDenied()
    {
        await _vault.Store.Keys.AddAsync("ZVADMIN0000000000002", "second-admin-secret", Role.Admin, ["*"]);
        await _vault.Store.Keys.RevokeAsync(AdminId);

        var http = Signed("GET", "/admin/v1/keys", string.Empty, AdminId, AdminSecret);
        await _api.InvokeRemoteAsync(http);

        Assert.Equal(403, http.Response.StatusCode);
    }

    [Fact]
    public async Task Remote_SourceAndKeyFarOverAllowance_ValidSignatureIsStillServed()
    {
        // Issue 12, item 1: others' failures (or a forger's, against this very key) never refuse a verified request.
        for (var i = 0; i <= _limiter.RefuseAbove; i++)
        {
            _limiter.RecordFailure(Peer);
            _limiter.RecordFailure(Peer, AdminId);
        }

        var http = Signed("GET", "/admin/v1/keys", string.Empty, AdminId, AdminSecret);
        await _api.InvokeRemoteAsync(http);

        Assert.Equal(200, http.Response.StatusCode);
    }

    [Fact]
    public async Task Remote_WrongSecretForAThrottledKey_GetsSlowDown()
    {
        for (var i = 0; i <= _limiter.RefuseAbove; i++)
        {
            _limiter.RecordFailure(Peer, AdminId);
        }

        var http = Signed("GET", "/admin/v1/keys", string.Empty, AdminId, "not-the-secret");
        await _api.InvokeRemoteAsync(http);

        Assert.Equal(503, http.Response.StatusCode);
        Assert.Contains("SlowDown", ResponseText(http), StringComparison.Ordinal);
    }

    private void AssertOneFailureRecorded(string? accessKeyId = null)
    {
        // Four more are free; the sixth is the first to be delayed.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(TimeSpan.Zero, _limiter.RecordFailure(Peer, accessKeyId));
        }

        Assert.True(_limiter.RecordFailure(Peer, accessKeyId) > TimeSpan.Zero);
    }

    private async Task<(int Status, JsonElement Json)> LocalAsync(string method, string path, string body = "")
    {
        var http = NewContext(method, path, body);
        await _api.InvokeLocalAsync(http);
        return (http.Response.StatusCode, JsonDocument.Parse(ResponseText(http)).RootElement.Clone());
    }

    private DefaultHttpContext Signed(string method, string path, string body, string id, string secret)
    {
        var http = NewContext(method, path, body);
        var signer = new SigV4Signer(id, secret, "us-east-1", _clock);
        var signed = signer.SignHeaders(method, path, [new("host", "vault.test:9443")], Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))));
        foreach (var (name, value) in signed.Headers)
        {
            http.Request.Headers[name] = value;
        }

        return http;
    }

    private static DefaultHttpContext NewContext(string method, string path, string body)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = path;
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = path;
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        http.Response.Body = new MemoryStream();
        http.Connection.RemoteIpAddress = IPAddress.Parse(Peer);
        return http;
    }

    private static string ResponseText(HttpContext http) => Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray());
}
