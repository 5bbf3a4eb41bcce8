using System.Net;
using System.Text.Json;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// The optional per-key write rate (issue 12 § 3) against a real vault: a stolen backup key that writes as fast as it can
/// is slowed down with SlowDown before its bodies are read, another key writes on, reads are never limited, and the
/// refusals are summarised in the audit chain instead of one record each.
/// </summary>
public sealed class KeyWriteRateAttackTests
{
    private const string Bucket = VaultProcess.DefaultBucket;

    [Fact]
    public async Task PutObject_BackupKeyOverItsWriteRate_SlowDownAuditedAsSummary_OtherKeysAndReadsUnaffected()
    {
        // 1 byte/s, a burst of 10 bytes: the first 60 KiB PUT is admitted (the allowance was positive) and takes the
        // allowance 17 hours below zero, so every later PUT of this key is refused however slow the machine is.
        await using var vault = await VaultProcess.StartAsync(serveArguments: ["--key-write-rate", "1"]);
        using var backup = vault.CreateClient("backup", config => config.MaxErrorRetry = 0);
        var first = await backup.PutObjectAsync(Put("rate/first", 60 * 1024));

        const int Refused = 12;
        for (var i = 0; i < Refused; i++)
        {
            var error = await S3Assert.FailsWith("SlowDown", HttpStatusCode.ServiceUnavailable, () => backup.PutObjectAsync(Put($"rate/refused-{i}", 60 * 1024)));
            Assert.Contains("per-key write rate", error.Message, StringComparison.Ordinal);
        }

        using (var get = await backup.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "rate/first", VersionId = first.VersionId }))
        {
            Assert.Equal(60 * 1024, (await S3Assert.ReadAllAsync(get.ResponseStream)).Length);
        }

        using var other = vault.CreateClient("all", config => config.MaxErrorRetry = 0);
        await other.PutObjectAsync(Put("rate/other", 60 * 1024));
        var listed = await backup.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "rate/" });
        Assert.Equal(["rate/first", "rate/other"], listed.S3Objects.Select(o => o.Key).Order(StringComparer.Ordinal));

        // Stopped, the vault writes the minute's summary: individual records plus summary counts add up to every refusal.
        await vault.StopAsync();
        var principal = vault.Credentials("backup").AccessKeyId;
        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.DataDirectory, "--json", "-n", "1000000"]);
        Assert.True(tail.ExitCode == 0, tail.ToString());
        var individual = 0;
        long summarised = 0;
        foreach (var line in tail.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.GetProperty("principal").GetString() != principal || root.GetProperty("outcome").GetString() != "denied:SlowDown")
            {
                continue;
            }

            if (root.GetProperty("operation").GetString() == "audit:summary")
            {
                summarised += long.Parse(root.GetProperty("key").GetString()!.Split(' ')[0]["more=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                individual++;
            }
        }

        Assert.InRange(individual, 1, 2);
        Assert.Equal(Refused, individual + summarised);
        var verify = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", vault.DataDirectory]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    private static PutObjectRequest Put(string key, int size) => new()
    {
        BucketName = Bucket,
        Key = key,
        InputStream = new MemoryStream(new byte[size]),
        ObjectLockMode = Amazon.S3.ObjectLockMode.Compliance,
        ObjectLockRetainUntilDate = DateTime.UtcNow.AddDays(1),
    };
}
