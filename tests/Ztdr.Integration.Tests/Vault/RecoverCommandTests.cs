using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>
/// A lost or rolled-back metadata store must not become data loss: the vault quarantines the data files no row names,
/// and <c>ztdr-vault recover</c> makes them readable again under a legal hold, saying what the files could not tell.
/// </summary>
public sealed class RecoverCommandTests
{
    private const string Bucket = VaultProcess.DefaultBucket;

    [Fact]
    public async Task Recover_MetadataStoreRolledBack_QuarantinedBodiesRebuiltUnderLegalHold()
    {
        await using var vault = await VaultProcess.StartAsync();
        var meta = Path.Combine(vault.DataDirectory, "meta");
        var backup = Path.Combine(vault.Root, "db-backup");
        Assert.Equal(0, await vault.StopAsync());
        CopyDatabase(meta, backup);
        await vault.RestartAsync();

        // Written after the backup: their rows are what the rollback loses.
        var bodies = new[] { RandomNumberGenerator.GetBytes(70_000), RandomNumberGenerator.GetBytes(1234) };
        using (var s3 = vault.CreateClient())
        {
            for (var i = 0; i < bodies.Length; i++)
            {
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = $"pack-{i}", InputStream = new MemoryStream(bodies[i]) });
            }
        }

        Assert.Equal(0, await vault.StopAsync());
        foreach (var file in Directory.EnumerateFiles(meta, "vault.db*"))
        {
            File.Delete(file);
        }

        CopyDatabase(backup, meta);
        await vault.RestartAsync();
        var quarantine = Path.Combine(vault.DataDirectory, "quarantine");
        Assert.Equal(bodies.Length, Directory.EnumerateFiles(quarantine).Count());

        // recover needs the vault stopped: it takes the audit log's lock, as the serving vault does.
        var whileServing = await VaultProcess.RunVaultAsync(["recover", "--data", vault.DataDirectory]);
        Assert.True(whileServing.ExitCode == 2, whileServing.ToString());
        Assert.Equal(0, await vault.StopAsync());
        var recover = await VaultProcess.RunVaultAsync(["recover", "--data", vault.DataDirectory, "--json"]);
        Assert.True(recover.ExitCode == 0, recover.ToString());
        Assert.Empty(Directory.EnumerateFiles(quarantine));
        using var report = JsonDocument.Parse(recover.StandardOutput);
        var rebuilt = report.RootElement.GetProperty("rebuilt").EnumerateArray().ToList();
        Assert.Equal(bodies.Length, rebuilt.Count);
        Assert.All(rebuilt, r => Assert.Contains("key", r.GetProperty("missing").EnumerateArray().Select(m => m.GetString())));

        await vault.RestartAsync();
        using (var s3 = vault.CreateClient())
        {
            var found = new List<byte[]>();
            foreach (var r in rebuilt)
            {
                var key = r.GetProperty("key").GetString()!;
                using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "ztdr-recovered", Key = key });
                using var copy = new MemoryStream();
                await get.ResponseStream.CopyToAsync(copy);
                found.Add(copy.ToArray());
                var hold = await s3.GetObjectLegalHoldAsync(new GetObjectLegalHoldRequest { BucketName = "ztdr-recovered", Key = key, VersionId = get.VersionId });
                Assert.Equal(ObjectLockLegalHoldStatus.On, hold.LegalHold.Status);
                var delete = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "ztdr-recovered", Key = key, VersionId = get.VersionId }));
                Assert.Equal("AccessDenied", delete.ErrorCode);
            }

            Assert.All(bodies, body => Assert.Contains(found, f => f.AsSpan().SequenceEqual(body)));
        }

        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.DataDirectory, "--json", "-n", "100"]);
        Assert.Equal(bodies.Length, tail.StandardOutput.Split('\n').Count(line => line.Contains("\"recover:rebuilt\"", StringComparison.Ordinal)));
        var scrub = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.DataDirectory, "--orphan-grace-seconds", "0"]);
        Assert.True(scrub.ExitCode == 0, scrub.ToString());
    }

    private static void CopyDatabase(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "vault.db*"))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }
}
