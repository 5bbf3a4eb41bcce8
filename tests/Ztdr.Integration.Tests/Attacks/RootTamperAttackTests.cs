using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Data.Sqlite;
using Ztdr.Testing;
using static Ztdr.Integration.Tests.Attacks.AttackVault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// Root on the vault's host edits the metadata store behind the stopped vault's back (issue 12, item 8). Root can
/// always destroy media; what these prove is that it cannot do so unnoticed: <c>scrub</c> replays the audit chain's lock
/// records and names every version the store holds weaker than the chain says. Each test damages its own vault.
/// </summary>
public sealed class RootTamperAttackTests
{
    [Fact]
    public async Task Scrub_RetentionEditedTo1970ThenMaintenanceDeletes_ReportsTamperingNamingTheVersion()
    {
        await using var vault = await StartAsync();
        var victim = await vault.PutVictimAsync("root/retention-1970/pack");
        Assert.Equal(0, await vault.Vault.StopAsync());
        Edit(vault, "UPDATE versions SET retain_until_ms = 0 WHERE version_id = $v", victim.VersionId);
        await vault.Vault.RestartAsync();

        // The finding of the issue: the edited store makes the lock engine see an expired retention, so the delete passes.
        var delete = await OutcomeAsync(() => vault.Client(Maintenance).DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = Bucket,
            Key = victim.Key,
            VersionId = victim.VersionId,
        }));
        Assert.Equal("allowed", delete);
        Assert.Equal(0, await vault.Vault.StopAsync());

        // The chain itself is intact (root edited the store, not the log); scrub is what sees it.
        var verify = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", vault.Vault.DataDirectory]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var scrub = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.Vault.DataDirectory, "--orphan-grace-seconds", "0"]);
        Assert.True(scrub.ExitCode == 1, scrub.ToString());
        Assert.Contains($"Tampering {Bucket}/{victim.Key} version {victim.VersionId}: removed at ", scrub.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("while the metadata store said COMPLIANCE until 1970-01-01T00:00:00.000Z", scrub.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE versions SET retain_until_ms = 0 WHERE version_id = $v", "retain-until moved earlier")]
    [InlineData("UPDATE versions SET lock_mode = 1 WHERE version_id = $v", "mode changed from COMPLIANCE to GOVERNANCE")]
    [InlineData("UPDATE versions SET lock_mode = NULL, retain_until_ms = NULL WHERE version_id = $v", "retention removed")]
    [InlineData("UPDATE versions SET legal_hold = 0 WHERE version_id = $v", "legal hold dropped")]
    [InlineData("DELETE FROM versions WHERE version_id = $v", "the metadata store has no such version and no record removed it")]
    public async Task Scrub_LockStateWeakenedInTheStore_ReportsTamperingAndExitsNonZero(string sql, string expected)
    {
        await using var vault = await StartAsync();
        var victim = await vault.PutVictimAsync("root/weakened/pack", legalHold: true);
        var bystander = await vault.PutVictimAsync("root/weakened/bystander");
        Assert.Equal(0, await vault.Vault.StopAsync());
        Edit(vault, sql, victim.VersionId);

        var scrub = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.Vault.DataDirectory, "--json"]);

        Assert.True(scrub.ExitCode == 1, scrub.ToString());
        using var report = System.Text.Json.JsonDocument.Parse(scrub.StandardOutput);
        var tampering = report.RootElement.GetProperty("findings").EnumerateArray()
            .Where(f => f.GetProperty("problem").GetString() == "Tampering").ToList();
        var finding = Assert.Single(tampering);
        Assert.Equal(victim.Key, finding.GetProperty("key").GetString());
        Assert.Equal(victim.VersionId, finding.GetProperty("versionId").GetString());
        Assert.Contains(expected, finding.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(bystander.VersionId, finding.GetProperty("versionId").GetString());
    }

    [Fact]
    public async Task Scrub_HonestVaultWithLockChanges_IsCleanAndComparesEveryLockedVersion()
    {
        await using var vault = await StartAsync();
        var extended = await vault.PutVictimAsync("root/honest/extended");
        var held = await vault.PutVictimAsync("root/honest/held", legalHold: true);
        var governed = await vault.PutVictimAsync("root/honest/governed", mode: "GOVERNANCE");
        var backup = vault.Client(Backup);
        await backup.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = Bucket,
            Key = extended.Key,
            VersionId = extended.VersionId,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = extended.RetainUntil.AddDays(1) },
        });
        await vault.Client(Admin).PutObjectLegalHoldAsync(new PutObjectLegalHoldRequest
        {
            BucketName = Bucket,
            Key = held.Key,
            VersionId = held.VersionId,
            LegalHold = new ObjectLockLegalHold { Status = ObjectLockLegalHoldStatus.Off },
        });
        await vault.Client(Maintenance).DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = Bucket,
            Key = governed.Key,
            VersionId = governed.VersionId,
            BypassGovernanceRetention = true,
        });
        await backup.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = held.Key });
        await vault.Client(AllRoles).CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = extended.Key,
            SourceVersionId = extended.VersionId,
            DestinationBucket = Bucket,
            DestinationKey = "root/honest/copied",
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = DateTime.UtcNow.AddDays(2),
        });
        var upload = await backup.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "root/honest/multipart",
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = DateTime.UtcNow.AddDays(2),
        });
        var part = await backup.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket,
            Key = "root/honest/multipart",
            UploadId = upload.UploadId,
            PartNumber = 1,
            InputStream = new MemoryStream(new byte[1024]),
        });
        await backup.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "root/honest/multipart",
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, part.ETag)],
        });

        // Against the serving vault, and again stopped.
        var serving = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.Vault.DataDirectory, "--json"]);
        Assert.Equal(0, await vault.Vault.StopAsync());
        var stopped = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.Vault.DataDirectory, "--json"]);

        foreach (var scrub in new[] { serving, stopped })
        {
            Assert.True(scrub.ExitCode == 0, scrub.ToString());
            using var report = System.Text.Json.JsonDocument.Parse(scrub.StandardOutput);
            var locks = report.RootElement.GetProperty("locks");
            // extended, held (its hold released, its retention still on), copied, multipart; governed was removed.
            Assert.Equal(4, locks.GetProperty("lockedVersions").GetInt64());
            Assert.Equal(4, locks.GetProperty("versionsCompared").GetInt64());
        }
    }

    /// <summary>What root does with the vault stopped: an ordinary SQLite client on the vault's own store.</summary>
    private static void Edit(AttackVault vault, string sql, string versionId)
    {
        var path = Path.Combine(vault.Vault.DataDirectory, "meta", "vault.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA foreign_keys = ON; " + sql;
            command.Parameters.AddWithValue("$v", versionId);
            Assert.Equal(1, command.ExecuteNonQuery());
        }
    }

    private static async Task<AttackVault> StartAsync()
    {
        var vault = new AttackVault();
        await vault.InitializeAsync();
        return vault;
    }
}
