using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Data.Sqlite;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>
/// Issue 12, item 6 against a real served vault: one admin key alone cannot delete a bucket, revoke an admin key,
/// lower a bucket's limits, change a lock rule or make a lost clock trusted; it requests, and a second, distinct admin
/// key approves (docs/approvals.md). The vault's two admin keys are init's [admin] and the harness's [all].
/// Each test has its own vault, because each one changes keys, buckets or the clock.
/// </summary>
public sealed class FourEyesTests
{
    private const string Admin = "admin";
    private const string Second = VaultProcess.AllRolesProfile;

    [Fact]
    public async Task DeleteBucket_OneAdminKey_WaitsRefusesSelfApprovalAndSecondKeyDeletes()
    {
        await using var vault = await VaultProcess.StartAsync();
        using var admin = vault.CreateClient(Admin);
        await admin.PutBucketAsync("scratch");

        var pending = await Assert.ThrowsAsync<AmazonS3Exception>(() => admin.DeleteBucketAsync("scratch"));
        Assert.Equal("XVaultApprovalRequired", pending.ErrorCode);
        Assert.Equal(HttpStatusCode.Conflict, pending.StatusCode);
        var id = VaultProcess.ApprovalIdIn(pending.Message);
        await admin.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = "scratch" });

        // The socket's OS user may look, but is no key: it can neither approve nor stand in for the second admin.
        var listed = await VaultProcess.RunVaultAsync(["approvals", "list", "--data", vault.DataDirectory, "--json"]);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var approval = Approvals(listed.StandardOutput).Single(a => a.GetProperty("approvalId").GetString() == id);
        Assert.Equal("delete-bucket", approval.GetProperty("operation").GetString());
        Assert.Equal("pending", approval.GetProperty("state").GetString());
        Assert.Equal(vault.Credentials(Admin).AccessKeyId, approval.GetProperty("requester").GetString());
        var unsigned = await VaultProcess.RunVaultAsync(["approvals", "approve", id, "--data", vault.DataDirectory]);
        AssertOneLineRefusal(unsigned, "admin key's signature");

        var self = await vault.ManageAsync(Admin, "approvals", "approve", id);
        AssertOneLineRefusal(self, "cannot approve it");
        await admin.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = "scratch" });

        var approved = await vault.ManageAsync(Second, "approvals", "approve", id);
        Assert.True(approved.ExitCode == 0, approved.ToString());
        await S3Assert.FailsWith("NoSuchBucket", HttpStatusCode.NotFound, () => admin.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = "scratch" }));

        var records = await AuditRecordsAsync(vault, id);
        Assert.Equal(
            [("approval:requested", vault.Credentials(Admin).AccessKeyId, "allowed"), ("approval:approve", vault.Credentials(Admin).AccessKeyId, "denied:SelfApproval"), ("approval:approved", vault.Credentials(Second).AccessKeyId, "allowed")],
            records);
        await AssertAuditVerifiesAsync(vault);
    }

    [Fact]
    public async Task RevokeAdminKey_OneAdminKey_KeyWorksUntilTheOtherApproves()
    {
        await using var vault = await VaultProcess.StartAsync();
        var (secondId, _) = vault.Credentials(Second);

        var unsigned = await VaultProcess.RunVaultAsync(["keys", "revoke", secondId, "--data", vault.DataDirectory]);
        AssertOneLineRefusal(unsigned, "admin key's signature");
        var request = await vault.ManageAsync(Admin, "keys", "revoke", secondId);
        Assert.True(request.ExitCode == 0, request.ToString());
        var id = System.Text.RegularExpressions.Regex.Match(request.StandardOutput, "pending approval (ap[0-9a-f]{16})").Groups[1].Value;
        using var second = vault.CreateClient(Second);
        await second.ListBucketsAsync();

        AssertOneLineRefusal(await vault.ManageAsync(Admin, "approvals", "approve", id), "cannot approve it");
        await second.ListBucketsAsync();

        // The key being revoked may approve its own revocation: it is not the requester, and that only removes power.
        Assert.Equal(0, (await vault.ManageAsync(Second, "approvals", "approve", id)).ExitCode);
        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => second.ListBucketsAsync());
        Assert.Equal("InvalidAccessKeyId", denied.ErrorCode);
        await AssertAuditVerifiesAsync(vault);
    }

    [Fact]
    public async Task LowerMaxRetention_OneAdminKey_LimitUnchangedUntilApprovedAndNeverRaised()
    {
        await using var vault = await VaultProcess.StartAsync();

        var request = await vault.ManageAsync(Admin, "buckets", "limits", VaultProcess.DefaultBucket, "--max-retention", "1d", "--json");
        Assert.True(request.ExitCode == 0, request.ToString());
        var id = JsonDocument.Parse(request.StandardOutput).RootElement.GetProperty("approvalId").GetString()!;
        Assert.Equal("10y", await MaxRetentionAsync(vault));
        AssertOneLineRefusal(await vault.ManageAsync(Admin, "buckets", "limits", VaultProcess.DefaultBucket, "--max-retention", "20y"), "can only be lowered");
        AssertOneLineRefusal(await vault.ManageAsync(Admin, "approvals", "approve", id), "cannot approve it");
        Assert.Equal("10y", await MaxRetentionAsync(vault));

        Assert.Equal(0, (await vault.ManageAsync(Second, "approvals", "approve", id)).ExitCode);

        Assert.Equal("1d", await MaxRetentionAsync(vault));
        using var s3 = vault.CreateClient(Second);
        await S3Assert.FailsWith("InvalidArgument", HttpStatusCode.BadRequest, () => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = VaultProcess.DefaultBucket,
            Key = "too-long",
            ContentBody = "x",
            ObjectLockMode = ObjectLockMode.Governance,
            ObjectLockRetainUntilDate = DateTime.UtcNow.AddDays(3),
        }));
        await AssertAuditVerifiesAsync(vault);
    }

    [Fact]
    public async Task ChangeDefaultLockRule_OneAdminKey_WaitsForTheSecondKey()
    {
        await using var vault = await VaultProcess.StartAsync();
        using var admin = vault.CreateClient(Admin);
        await admin.PutBucketAsync(new PutBucketRequest { BucketName = "ruled", ObjectLockEnabledForBucket = true });

        // The first rule of a fresh lock bucket is set at once (create, then configure, as on AWS); changing it takes two.
        await admin.PutObjectLockConfigurationAsync(Rule("ruled", 2));
        var pending = await Assert.ThrowsAsync<AmazonS3Exception>(() => admin.PutObjectLockConfigurationAsync(Rule("ruled", 1)));
        Assert.Equal("XVaultApprovalRequired", pending.ErrorCode);
        Assert.Equal(2, (await admin.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = "ruled" })).ObjectLockConfiguration.Rule.DefaultRetention.Days);

        await vault.ApproveAsync(VaultProcess.ApprovalIdIn(pending.Message), Second);

        Assert.Equal(1, (await admin.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = "ruled" })).ObjectLockConfiguration.Rule.DefaultRetention.Days);
    }

    [Fact]
    public async Task TrustClock_AfterClockFileLoss_TrustedOnlyOnceASecondKeyApprovesAndStaysTrustedAfterRestart()
    {
        await using var vault = await VaultProcess.StartAsync();
        Assert.Equal(0, await vault.StopAsync());
        File.Delete(Path.Combine(vault.DataDirectory, "meta", "clock.json"));
        await vault.RestartAsync();
        Assert.False(await ClockTrustedAsync(vault));

        AssertOneLineRefusal(await VaultProcess.RunVaultAsync(["clock", "trust", "--data", vault.DataDirectory]), "admin key's signature");
        var request = await vault.ManageAsync(Admin, "clock", "trust", "--json");
        Assert.True(request.ExitCode == 0, request.ToString());
        var id = JsonDocument.Parse(request.StandardOutput).RootElement.GetProperty("approvalId").GetString()!;
        AssertOneLineRefusal(await vault.ManageAsync(Admin, "approvals", "approve", id), "cannot approve it");
        Assert.False(await ClockTrustedAsync(vault));

        Assert.Equal(0, (await vault.ManageAsync(Second, "approvals", "approve", id)).ExitCode);
        Assert.True(await ClockTrustedAsync(vault));
        AssertOneLineRefusal(await vault.ManageAsync(Admin, "clock", "trust"), "trusted already");

        Assert.Equal(0, await vault.StopAsync());
        await vault.RestartAsync();
        Assert.True(await ClockTrustedAsync(vault));
        await AssertAuditVerifiesAsync(vault);
    }

    [Fact]
    public async Task Approve_ExpiredApproval_IsRefusedAndTheBucketStays()
    {
        await using var vault = await VaultProcess.StartAsync();
        using var admin = vault.CreateClient(Admin);
        await admin.PutBucketAsync("scratch");
        var pending = await Assert.ThrowsAsync<AmazonS3Exception>(() => admin.DeleteBucketAsync("scratch"));
        var id = VaultProcess.ApprovalIdIn(pending.Message);

        // Expiry runs on trusted time, which no test may wait out: the stopped vault's approval is moved to its expiry.
        Assert.Equal(0, await vault.StopAsync());
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(vault.DataDirectory, "meta", "vault.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE approvals SET expires_ms = created_ms WHERE approval_id = $id";
            command.Parameters.AddWithValue("$id", id);
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        await vault.RestartAsync();

        AssertOneLineRefusal(await vault.ManageAsync(Second, "approvals", "approve", id), "expired");
        await admin.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = "scratch" });
        var listed = await VaultProcess.RunVaultAsync(["approvals", "list", "--data", vault.DataDirectory, "--json"]);
        Assert.Equal("expired", Approvals(listed.StandardOutput).Single(a => a.GetProperty("approvalId").GetString() == id).GetProperty("state").GetString());
        Assert.Contains(await AuditRecordsAsync(vault, id), r => r.Operation == "approval:expired");
        await AssertAuditVerifiesAsync(vault);
    }

    [Fact]
    public async Task Reject_PendingDeleteBucket_NeverRunsAndCannotBeApprovedAfter()
    {
        await using var vault = await VaultProcess.StartAsync();
        using var admin = vault.CreateClient(Admin);
        await admin.PutBucketAsync("scratch");
        var pending = await Assert.ThrowsAsync<AmazonS3Exception>(() => admin.DeleteBucketAsync("scratch"));
        var id = VaultProcess.ApprovalIdIn(pending.Message);

        var rejected = await vault.ManageAsync(Second, "approvals", "reject", id);
        Assert.True(rejected.ExitCode == 0, rejected.ToString());
        AssertOneLineRefusal(await vault.ManageAsync(Second, "approvals", "approve", id), "rejected already");

        await admin.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = "scratch" });
        Assert.Contains(await AuditRecordsAsync(vault, id), r => r.Operation == "approval:rejected" && r.Principal == vault.Credentials(Second).AccessKeyId);
        await AssertAuditVerifiesAsync(vault);
    }

    private static PutObjectLockConfigurationRequest Rule(string bucket, int days) => new()
    {
        BucketName = bucket,
        ObjectLockConfiguration = new ObjectLockConfiguration
        {
            ObjectLockEnabled = ObjectLockEnabled.Enabled,
            Rule = new ObjectLockRule { DefaultRetention = new DefaultRetention { Mode = ObjectLockRetentionMode.Governance, Days = days } },
        },
    };

    private static IEnumerable<JsonElement> Approvals(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("approvals").EnumerateArray().Select(a => a.Clone()).ToList();

    private static void AssertOneLineRefusal(ProcessResult result, string expected)
    {
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Single(result.StandardError.Trim().Split('\n'));
        Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
    }

    private static async Task<string?> MaxRetentionAsync(VaultProcess vault)
    {
        var limits = await VaultProcess.RunVaultAsync(["buckets", "limits", VaultProcess.DefaultBucket, "--data", vault.DataDirectory, "--json"]);
        Assert.True(limits.ExitCode == 0, limits.ToString());
        return JsonDocument.Parse(limits.StandardOutput).RootElement.GetProperty("maxRetention").GetString();
    }

    private static async Task<bool> ClockTrustedAsync(VaultProcess vault) =>
        JsonDocument.Parse(await vault.AdminGetAsync("/admin/v1/health")).RootElement.GetProperty("clockTrusted").GetBoolean();

    /// <summary>The audit records naming <paramref name="approvalId"/> (their requestId), oldest first.</summary>
    private static async Task<List<(string Operation, string Principal, string Outcome)>> AuditRecordsAsync(VaultProcess vault, string approvalId)
    {
        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.DataDirectory, "--json", "-n", "1000000"]);
        Assert.True(tail.ExitCode == 0, tail.ToString());
        return tail.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(r => r.GetProperty("requestId").ValueKind == JsonValueKind.String && r.GetProperty("requestId").GetString() == approvalId)
            .Select(r => (r.GetProperty("operation").GetString()!, r.GetProperty("principal").GetString()!, r.GetProperty("outcome").GetString()!))
            .ToList();
    }

    private static async Task AssertAuditVerifiesAsync(VaultProcess vault)
    {
        var verify = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", vault.DataDirectory]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }
}
