using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Reliability;

/// <summary>
/// The workload of the crash tests (kill -9 and power loss): concurrent S3 writers, each owning its keys, that PUT small
/// and medium bodies, complete multipart uploads, extend compliance retention, delete unlocked versions and try to
/// delete locked ones, recording every acknowledgement in a <see cref="CrashLedger"/>; and the check of a restarted
/// vault against that ledger.
/// </summary>
internal sealed class CrashWorkload
{
    public const int Workers = 6;
    private const string Bucket = VaultProcess.DefaultBucket;
    private const int MinPartSize = 5 << 20;
    private readonly CrashLedger _ledger;
    private readonly int _maxMediumBytes;

    /// <param name="ledger">Where every acknowledgement is recorded; shared by all workers and rounds.</param>
    /// <param name="maxMediumBytes">Upper bound of a medium body (1 MiB up to this).</param>
    public CrashWorkload(CrashLedger ledger, int maxMediumBytes = 8 << 20)
    {
        _ledger = ledger;
        _maxMediumBytes = maxMediumBytes;
    }

    /// <summary>Operations a fault can be aimed at: called just before the request goes out.</summary>
    public enum Operation
    {
        RetentionChange,
        MultipartCompletion,
    }

    /// <summary>Called (from any worker) just before a retention change or a multipart completion is sent.</summary>
    public Func<Operation, Task>? Sending { get; init; }

    public static void NoRetries(AmazonS3Config config)
    {
        // A retried PUT whose first attempt landed would add a version nobody acknowledged; every answer counts once.
        config.MaxErrorRetry = 0;
        config.Timeout = TimeSpan.FromSeconds(60);
    }

    public async Task WorkAsync(AmazonS3Client s3, int worker, int round, Random random, KillSwitch killing, ConcurrentQueue<string> failures)
    {
        var ledger = _ledger;
        var prefix = $"w{worker}/";
        var owned = ledger.Alive().Where(v => v.Key.StartsWith(prefix, StringComparison.Ordinal) && !v.MaybeDeleted).ToList();
        for (var n = 0; !killing.IsOn; n++)
        {
            var key = $"{prefix}r{round}/{n}";
            var dice = random.Next(100);
            var op = "?";
            try
            {
                if (dice < 40)
                {
                    op = "PutObject small";
                    owned.Add(await PutAsync(s3, ledger, key, random.Next(1, 64 << 10), random, random.Next(3) == 0));
                }
                else if (dice < 50)
                {
                    op = "PutObject medium";
                    owned.Add(await PutAsync(s3, ledger, key, random.Next(1 << 20, _maxMediumBytes), random, random.Next(3) == 0));
                }
                else if (dice < 55)
                {
                    op = "multipart upload";
                    owned.Add(await MultipartAsync(s3, ledger, key, MinPartSize + random.Next(1, 512 << 10), random, random.Next(3) == 0));
                }
                else if (dice < 65 && owned.Count > 0)
                {
                    op = "PutObject new version";
                    owned.Add(await PutAsync(s3, ledger, owned[random.Next(owned.Count)].Key, random.Next(1, 64 << 10), random, random.Next(3) == 0));
                }
                else if (dice < 80 && owned.Where(v => v.Locked).ToList() is { Count: > 0 } locked)
                {
                    op = "PutObjectRetention extend";
                    var version = locked[random.Next(locked.Count)];
                    var until = version.RequestedRetainUntil!.Value.AddHours(random.Next(1, 48));
                    ledger.RetentionSending(version, until);
                    if (Sending is { } retention)
                    {
                        await retention(Operation.RetentionChange);
                    }

                    await s3.PutObjectRetentionAsync(new PutObjectRetentionRequest
                    {
                        BucketName = Bucket,
                        Key = version.Key,
                        VersionId = version.VersionId,
                        Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = until },
                    });
                    ledger.RetentionAcknowledged(version, until);
                }
                else if (dice < 95 && owned.Where(v => !v.Locked).ToList() is { Count: > 0 } unlocked)
                {
                    op = "DeleteObject version";
                    var version = unlocked[random.Next(unlocked.Count)];
                    owned.Remove(version);
                    ledger.DeleteSending(version);
                    await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = version.Key, VersionId = version.VersionId });
                    ledger.DeleteAcknowledged(version);
                }
                else if (owned.Where(v => v.Locked).ToList() is { Count: > 0 } victims)
                {
                    op = "DeleteObject locked version";
                    var version = victims[random.Next(victims.Count)];
                    var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = version.Key, VersionId = version.VersionId }));
                    if (refused.StatusCode != System.Net.HttpStatusCode.Forbidden && !killing.IsOn)
                    {
                        failures.Enqueue($"delete of locked {version.Key} {version.VersionId} answered {refused.StatusCode} {refused.ErrorCode}, not 403");
                    }
                }
            }
            catch (Exception e) when (e is AmazonS3Exception or HttpRequestException or IOException or TaskCanceledException or Amazon.Runtime.AmazonClientException or Xunit.Sdk.XunitException)
            {
                if (!killing.IsOn)
                {
                    failures.Enqueue($"{op} {key}: {e.GetType().Name}: {e.Message}");
                }

                return;
            }
        }
    }

    private static async Task<ExpectedVersion> PutAsync(AmazonS3Client s3, CrashLedger ledger, string key, int size, Random random, bool locked)
    {
        var body = new byte[size];
        random.NextBytes(body);
        var put = new InFlightPut(key, size, SHA256.HashData(body), locked ? RetainUntil(random) : null);
        ledger.Sending(put);
        var request = new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(body), AutoCloseStream = true };
        if (put.RetainUntil is { } until)
        {
            request.ObjectLockMode = ObjectLockMode.Compliance;
            request.ObjectLockRetainUntilDate = until;
        }

        var response = await s3.PutObjectAsync(request);
        ledger.Acknowledged(put, response.VersionId, response.ETag);
        return ledger.Find(key, response.VersionId)!;
    }

    private async Task<ExpectedVersion> MultipartAsync(AmazonS3Client s3, CrashLedger ledger, string key, int size, Random random, bool locked)
    {
        var body = new byte[size];
        random.NextBytes(body);
        var put = new InFlightPut(key, size, SHA256.HashData(body), locked ? RetainUntil(random) : null);
        ledger.Sending(put);
        var initiate = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key };
        if (put.RetainUntil is { } until)
        {
            initiate.ObjectLockMode = ObjectLockMode.Compliance;
            initiate.ObjectLockRetainUntilDate = until;
        }

        var upload = await s3.InitiateMultipartUploadAsync(initiate);
        var parts = new List<PartETag>();
        for (int offset = 0, number = 1; offset < size; offset += MinPartSize, number++)
        {
            var length = Math.Min(MinPartSize, size - offset);
            var part = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartNumber = number,
                InputStream = new MemoryStream(body, offset, length),
            });
            parts.Add(new PartETag(number, part.ETag));
        }

        if (Sending is { } completion)
        {
            await completion(Operation.MultipartCompletion);
        }

        var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts });
        ledger.Acknowledged(put, done.VersionId, done.ETag);
        return ledger.Find(key, done.VersionId)!;
    }

    /// <summary>A compliance date a day or more ahead, in whole seconds (the precision S3 dates carry).</summary>
    private static DateTime RetainUntil(Random random)
    {
        var until = DateTime.UtcNow.AddDays(1).AddMinutes(random.Next(0, 600));
        return new DateTime(until.Ticks - (until.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    /// <summary>Checks the restarted vault against the ledger; returns how many versions were read back byte for byte.</summary>
    public static async Task<int> VerifyAsync(VaultProcess vault, CrashLedger ledger, bool full, int maxQuarantined, string context)
    {
        using var s3 = vault.CreateClient();
        var listed = await ListAllAsync(s3);
        ledger.Settle(v => listed.ContainsKey((v.Key, v.VersionId)));
        foreach (var ((key, versionId), entry) in listed)
        {
            Assert.False(entry.IsDeleteMarker == true, $"{context}: a delete marker {key} {versionId} appeared; no client deleted without a version id");
            var deleted = ledger.WasDeleted(key, versionId);
            Assert.True(deleted is null, $"{context}: deleted version {key} {versionId} came back after the crash ({deleted})");
            if (ledger.Find(key, versionId) is { } expected)
            {
                Assert.True(expected.ETag == entry.ETag && expected.Size == entry.Size, $"{context}: {key} {versionId} lists as {entry.ETag}/{entry.Size}, acknowledged {expected.ETag}/{expected.Size}");
                continue;
            }

            // Not acknowledged: must be the one body that was in flight for this key, whole (checked by the read below).
            var inFlight = ledger.TakeInFlight(key);
            Assert.True(inFlight is not null, $"{context}: {key} {versionId} is visible but no client sent it");
            Assert.True(inFlight.Size == entry.Size, $"{context}: in-flight {key} {versionId} landed with {entry.Size} bytes, sent {inFlight.Size}");
            ledger.Adopt(inFlight, versionId, entry.ETag);
        }

        ledger.ForgetInFlight();
        var alive = ledger.Alive();
        foreach (var version in alive)
        {
            Assert.True(listed.ContainsKey((version.Key, version.VersionId)), $"{context}: acknowledged {version.Key} {version.VersionId} is gone after the crash");
        }

        var toRead = full ? alive : ledger.TakeTouched();
        var checkedCount = 0;
        await Parallel.ForEachAsync(toRead, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (version, cancel) =>
        {
            using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = version.Key, VersionId = version.VersionId }, cancel);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            long size = 0;
            int read;
            while ((read = await get.ResponseStream.ReadAsync(buffer, cancel)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                size += read;
            }

            Assert.True(size == version.Size && sha.GetHashAndReset().AsSpan().SequenceEqual(version.Sha256), $"{context}: {version.Key} {version.VersionId} reads back {size} bytes that differ from the {version.Size} written");
            Assert.Equal(version.ETag, get.ETag);
            Assert.Equal(version.VersionId, get.VersionId);
            if (version.AcknowledgedRetainUntil is { } acknowledged)
            {
                Assert.Equal(ObjectLockMode.Compliance, get.ObjectLockMode);
                var until = get.ObjectLockRetainUntilDate!.Value.ToUniversalTime();
                Assert.True(until >= acknowledged && until <= version.RequestedRetainUntil, $"{context}: {version.Key} {version.VersionId} retained until {until:o}; acknowledged {acknowledged:o}, last asked {version.RequestedRetainUntil:o}");
            }
            else
            {
                Assert.True(get.ObjectLockMode is null || string.IsNullOrEmpty(get.ObjectLockMode.Value), $"{context}: unlocked {version.Key} {version.VersionId} came back locked ({get.ObjectLockMode})");
            }

            Interlocked.Increment(ref checkedCount);
        });

        var scrub = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.DataDirectory, "--json", "--orphan-grace-seconds", "0"]);
        Assert.True(scrub.ExitCode is 0 or 1, $"{context}: scrub could not run: {scrub}");
        using (var report = JsonDocument.Parse(scrub.StandardOutput))
        {
            // Exit 1 here may only mean quarantine: bodies published but never committed are moved there, not deleted,
            // and a kill leaves at most one per request in flight (one per worker).
            Assert.True(report.RootElement.GetProperty("findings").GetArrayLength() == 0, $"{context}: scrub found damage: {scrub.StandardOutput}");
            var quarantined = report.RootElement.GetProperty("quarantined").GetArrayLength();
            Assert.True(quarantined <= maxQuarantined, $"{context}: {quarantined} files quarantined, more than one per request in flight per kill ({maxQuarantined}): {scrub.StandardOutput}");
            Assert.True(report.RootElement.GetProperty("orphans").GetArrayLength() == 0, $"{context}: data files no version names stayed in objects/: {scrub.StandardOutput}");
            Assert.Equal(alive.Count, report.RootElement.GetProperty("versionsChecked").GetInt64());
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(vault.DataDirectory, "tmp")));
        var audit = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", vault.DataDirectory]);
        Assert.True(audit.ExitCode == 0, $"{context}: audit chain does not verify: {audit}");
        return checkedCount;
    }

    private static async Task<Dictionary<(string Key, string VersionId), S3ObjectVersion>> ListAllAsync(AmazonS3Client s3)
    {
        var all = new Dictionary<(string, string), S3ObjectVersion>();
        var request = new ListVersionsRequest { BucketName = Bucket };
        while (true)
        {
            var page = await s3.ListVersionsAsync(request);
            foreach (var version in page.Versions ?? [])
            {
                all.Add((version.Key, version.VersionId), version);
            }

            if (page.IsTruncated != true)
            {
                return all;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }
}

/// <summary>A flag the workers poll and the killer sets just before SIGKILL: failures after it are expected.</summary>
internal sealed class KillSwitch
{
    private volatile bool _on;

    public bool IsOn => _on;

    public void Set() => _on = true;
}
