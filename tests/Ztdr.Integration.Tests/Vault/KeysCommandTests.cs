using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary><c>ztdr-vault keys</c> against a real serving vault, through its management socket.</summary>
public sealed class KeysCommandTests : IClassFixture<VaultFixture>
{
    private readonly VaultProcess _vault;

    public KeysCommandTests(VaultFixture fixture)
    {
        _vault = fixture.Vault;
    }

    private string AdminSocket => Path.Combine(_vault.DataDirectory, "admin.sock");

    [Fact]
    public async Task Create_BackupKey_CanPutAndIsListedWithoutSecret()
    {
        var profile = NewProfile();
        var create = await KeysAsync("create", "--role", "backup", "--bucket", "backups", "--credentials-out", _vault.CredentialsFile, "--profile-name", profile);
        Assert.True(create.ExitCode == 0, create.ToString());
        var (id, secret) = _vault.Credentials(profile);
        Assert.Contains(id, create.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, create.StandardOutput + create.StandardError, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_vault.CredentialsFile));

        using (var s3 = _vault.CreateClient(profile))
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "from-" + profile, ContentBody = "data" });
        }

        var list = await KeysAsync("list");
        Assert.True(list.ExitCode == 0, list.ToString());
        var row = list.StandardOutput.Split('\n').Single(l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Contains("backup", row, StringComparison.Ordinal);
        Assert.Contains("backups", row, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list.StandardOutput, StringComparison.Ordinal);

        var json = await KeysAsync("list", "--json");
        Assert.DoesNotContain(secret, json.StandardOutput, StringComparison.Ordinal);
        var key = JsonDocument.Parse(json.StandardOutput).RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("accessKeyId").GetString() == id);
        Assert.Equal(["backup"], key.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(key.TryGetProperty("revoked", out _));
    }

    [Fact]
    public async Task Create_BackupKey_CannotTouchOtherBuckets()
    {
        var profile = NewProfile();
        Assert.Equal(0, (await KeysAsync("create", "--role", "backup", "--bucket", "someone-else", "--credentials-out", _vault.CredentialsFile, "--profile-name", profile)).ExitCode);

        using var s3 = _vault.CreateClient(profile);
        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "nope", ContentBody = "x" }));
        Assert.Equal("AccessDenied", denied.ErrorCode);
    }

    [Fact]
    public async Task Revoke_Key_FailsAtOnceWithInvalidAccessKeyId()
    {
        var profile = NewProfile();
        Assert.Equal(0, (await KeysAsync("create", "--role", "backup", "--bucket", "backups", "--credentials-out", _vault.CredentialsFile, "--profile-name", profile)).ExitCode);
        var (id, _) = _vault.Credentials(profile);
        using var s3 = _vault.CreateClient(profile);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "before-revoke", ContentBody = "x" });

        var revoke = await KeysAsync("revoke", id);
        Assert.True(revoke.ExitCode == 0, revoke.ToString());

        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "after-revoke", ContentBody = "x" }));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("InvalidAccessKeyId", denied.ErrorCode);
        var row = (await KeysAsync("list")).StandardOutput.Split('\n').Single(l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Matches(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", row.TrimEnd());
    }

    [Fact]
    public async Task Revoke_LastAdminKey_IsRefusedWithOneLine()
    {
        // Its own vault: the test first revokes the all-roles test key, which also holds the admin role.
        await using var vault = await VaultProcess.StartAsync();
        Task<ProcessResult> Keys(params string[] args) => VaultProcess.RunVaultAsync(["keys", args[0], "--data", vault.DataDirectory, .. args[1..]]);
        var (allId, _) = vault.Credentials(VaultProcess.AllRolesProfile);

        // Revoking an admin key takes two (docs/approvals.md): requested by the init admin key, approved by the other.
        var request = await vault.ManageAsync("admin", "keys", "revoke", allId);
        Assert.True(request.ExitCode == 0, request.ToString());
        var approvalId = System.Text.RegularExpressions.Regex.Match(request.StandardOutput, "pending approval (ap[0-9a-f]{16})").Groups[1].Value;
        await vault.ApproveAsync(approvalId, VaultProcess.AllRolesProfile);
        var (adminId, _) = vault.Credentials("admin");
        var list = await Keys("list", "--json");
        var activeAdmins = JsonDocument.Parse(list.StandardOutput).RootElement.GetProperty("keys").EnumerateArray()
            .Count(k => !k.TryGetProperty("revoked", out _) && k.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "admin"));
        Assert.Equal(1, activeAdmins);

        var revoke = await Keys("revoke", adminId);

        Assert.NotEqual(0, revoke.ExitCode);
        Assert.Single(revoke.StandardError.Trim().Split('\n'));
        Assert.Contains("last active admin key", revoke.StandardError, StringComparison.Ordinal);
        using var s3 = vault.CreateClient("admin");
        await s3.ListBucketsAsync();
    }

    [Fact]
    public async Task Create_DuplicateProfile_ChangesNothing()
    {
        var before = await File.ReadAllBytesAsync(_vault.CredentialsFile);
        var keysBefore = (await KeysAsync("list", "--json")).StandardOutput;

        var result = await KeysAsync("create", "--role", "reader", "--bucket", "*", "--credentials-out", _vault.CredentialsFile, "--profile-name", "admin");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Single(result.StandardError.Trim().Split('\n'));
        Assert.Contains("[admin] already exists", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_vault.CredentialsFile));
        Assert.Equal(keysBefore, (await KeysAsync("list", "--json")).StandardOutput);
    }

    [Fact]
    public async Task Create_CredentialsOutIsSymlink_RefusesCreatesNoKeyAndWritesNothingThroughIt()
    {
        var folder = Path.Combine(_vault.Root, "symlink-" + NewProfile());
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, "elsewhere");
        File.WriteAllText(target, "[default]\n");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = Path.Combine(folder, "credentials");
        File.CreateSymbolicLink(link, target);
        var keysBefore = KeyIds((await KeysAsync("list", "--json")).StandardOutput);

        var result = await KeysAsync("create", "--role", "backup", "--bucket", "backups", "--credentials-out", link, "--profile-name", NewProfile());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("symbolic link", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("[default]\n", File.ReadAllText(target));
        Assert.Equal(keysBefore, KeyIds((await KeysAsync("list", "--json")).StandardOutput));
    }

    [Fact]
    public async Task Create_CredentialsOutOwnedByAnotherUser_RefusesCreatesNoKeyAndWritesNothing()
    {
        var folder = Path.Combine(_vault.Root, "foreign-" + NewProfile());
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "credentials");
        File.WriteAllText(file, "[default]\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var chown = await ProcessRunner.RunAsync("chown", ["nobody", file]);
        Assert.True(chown.ExitCode == 0, "these tests run as root: " + chown);
        var keysBefore = KeyIds((await KeysAsync("list", "--json")).StandardOutput);

        var result = await KeysAsync("create", "--role", "backup", "--bucket", "backups", "--credentials-out", file, "--profile-name", NewProfile());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("owned by another user", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("[default]\n", File.ReadAllText(file));
        Assert.Equal(keysBefore, KeyIds((await KeysAsync("list", "--json")).StandardOutput));
    }

    [Fact]
    public async Task ManagementSocket_IsOwnerOnly()
    {
        Assert.Equal(0, (await KeysAsync("list")).ExitCode);

        // The mode is set as soon as the listener is bound; the S3 port can answer a moment before that.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.GetUnixFileMode(AdminSocket) != (UnixFileMode.UserRead | UnixFileMode.UserWrite) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AdminSocket));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_vault.DataDirectory));
    }

    [Fact]
    public async Task S3Listener_ManagementPath_IsNeverServedByManagement()
    {
        using var http = new HttpClient(new VaultCertificateTrust(_vault.CaBundle).CreateHandler());
        using var response = await http.GetAsync(new Uri(_vault.Endpoint + "/admin/v1/keys"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("accessKeyId", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_VaultStopped_FailsWithOneLineAndWritesNothing()
    {
        await using var vault = await VaultProcess.StartAsync();
        Assert.Equal(0, await vault.StopAsync());
        var before = await File.ReadAllBytesAsync(vault.CredentialsFile);

        var result = await VaultProcess.RunVaultAsync(["keys", "create", "--data", vault.DataDirectory, "--role", "backup", "--bucket", "backups", "--credentials-out", vault.CredentialsFile, "--profile-name", "late"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(
            $"ztdr-vault: the vault is not running (no management socket at {Path.Combine(vault.DataDirectory, "admin.sock")}); start it with 'ztdr-vault serve --data {vault.DataDirectory}'",
            result.StandardError.Trim());
        Assert.Equal(before, await File.ReadAllBytesAsync(vault.CredentialsFile));
    }

    [Fact]
    public async Task Serve_AfterKill_RemovesStaleSocketAndServesManagement()
    {
        await using var vault = await VaultProcess.StartAsync();
        vault.KillHard();
        Assert.True(File.Exists(Path.Combine(vault.DataDirectory, "admin.sock")));

        await vault.RestartAsync();

        var list = await VaultProcess.RunVaultAsync(["keys", "list", "--data", vault.DataDirectory]);
        Assert.True(list.ExitCode == 0, list.ToString() + vault.Log);
    }

    /// <summary>Every key id, revoked ones included: a key created and revoked again still shows here.</summary>
    private static string[] KeyIds(string listJson) =>
        [.. JsonDocument.Parse(listJson).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("accessKeyId").GetString()!)];

    private static string NewProfile() => "p" + Guid.NewGuid().ToString("N")[..12];

    private Task<ProcessResult> KeysAsync(params string[] arguments) =>
        VaultProcess.RunVaultAsync(["keys", arguments[0], "--data", _vault.DataDirectory, .. arguments[1..]]);
}
