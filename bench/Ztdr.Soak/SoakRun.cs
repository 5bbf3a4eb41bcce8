using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Testing;

namespace Ztdr.Soak;

/// <summary>Latencies and failures of one kind of request.</summary>
internal sealed class OperationStats
{
    private readonly List<double> _milliseconds = [];
    private int _errors;

    public int Errors => Volatile.Read(ref _errors);

    public IReadOnlyList<double> Milliseconds
    {
        get
        {
            lock (_milliseconds)
            {
                return [.. _milliseconds];
            }
        }
    }

    public void Record(double milliseconds)
    {
        lock (_milliseconds)
        {
            _milliseconds.Add(milliseconds);
        }
    }

    public void Fail() => Interlocked.Increment(ref _errors);
}

/// <summary>
/// The soak itself: every client loops over a weighted mix of S3 operations until the time is up. Clients never
/// retry (an error is an error) and each works in its own prefix, so every operation's expected answer is known.
/// Unlocked versions are deleted as the run goes, which keeps the data folder bounded however long it runs.
/// </summary>
internal sealed class SoakRun
{
    private const string Bucket = VaultProcess.DefaultBucket;
    private const int SeedObjects = 64;
    private const int MinPartSize = 5 << 20;
    private readonly VaultProcess _vault;
    private readonly SoakOptions _options;
    private readonly byte[] _pool = RandomNumberGenerator.GetBytes(8 << 20);
    private string? _firstError;

    public SoakRun(VaultProcess vault, SoakOptions options)
    {
        _vault = vault;
        _options = options;
    }

    public ConcurrentDictionary<string, OperationStats> Operations { get; } = new(StringComparer.Ordinal);

    public string? FirstError => _firstError;

    /// <summary>Objects every client may GET and HEAD from the first second on.</summary>
    public async Task SeedAsync()
    {
        using var s3 = _vault.CreateClient();
        for (var i = 0; i < SeedObjects; i++)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = $"seed/{i}", InputStream = Slice(4096 * (i + 1)) });
        }
    }

    public async Task RunAsync()
    {
        using var deadline = new CancellationTokenSource(_options.Duration);
        var clients = Enumerable.Range(0, _options.Clients).Select(_ => _vault.CreateClient(configure: c => c.MaxErrorRetry = 0)).ToList();
        try
        {
            await Task.WhenAll(clients.Select((client, i) => Task.Run(() => ClientAsync(client, i, deadline.Token))));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private async Task ClientAsync(AmazonS3Client s3, int client, CancellationToken deadline)
    {
        var random = new Random(client);
        var unlocked = new List<(string Key, string VersionId)>();
        var locked = new List<(string Key, string VersionId, DateTime Until)>();
        for (var n = 0; !deadline.IsCancellationRequested; n++)
        {
            var key = $"c{client}/{n}";
            var dice = random.Next(1000);
            if (dice < 250)
            {
                await TimedAsync("PUT 4-64 KiB", async () =>
                {
                    var lockIt = random.Next(4) == 0;
                    var until = DateTime.UtcNow.AddDays(1);
                    var request = new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = Slice(random.Next(4096, 64 << 10)) };
                    if (lockIt)
                    {
                        request.ObjectLockMode = ObjectLockMode.Compliance;
                        request.ObjectLockRetainUntilDate = until;
                    }

                    var put = await s3.PutObjectAsync(request);
                    if (lockIt)
                    {
                        locked.Add((key, put.VersionId, until));
                    }
                    else
                    {
                        unlocked.Add((key, put.VersionId));
                    }
                });
            }
            else if (dice < 290)
            {
                await TimedAsync("PUT 1-4 MiB", async () =>
                {
                    var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = Slice(random.Next(1 << 20, 4 << 20)) });
                    unlocked.Add((key, put.VersionId));
                });
            }
            else if (dice < 300)
            {
                await TimedAsync("multipart 6 MiB (2 parts)", async () =>
                {
                    var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key });
                    var one = await s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = 1, InputStream = Slice(MinPartSize) });
                    var two = await s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = 2, InputStream = Slice(1 << 20) });
                    var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = [new PartETag(1, one.ETag), new PartETag(2, two.ETag)] });
                    unlocked.Add((key, done.VersionId));
                });
            }
            else if (dice < 550)
            {
                var seed = random.Next(SeedObjects);
                await TimedAsync("GET", async () =>
                {
                    using var get = await s3.GetObjectAsync(Bucket, $"seed/{seed}");
                    await get.ResponseStream.CopyToAsync(Stream.Null);
                });
            }
            else if (dice < 700)
            {
                var seed = random.Next(SeedObjects);
                await TimedAsync("HEAD", () => s3.GetObjectMetadataAsync(Bucket, $"seed/{seed}"));
            }
            else if (dice < 800)
            {
                await TimedAsync("LIST (own prefix, ≤100)", () => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = $"c{client}/", MaxKeys = 100 }));
            }
            else if (dice < 880 && locked.Count > 0)
            {
                var i = random.Next(locked.Count);
                var (lockedKey, versionId, until) = locked[i];
                var later = until.AddHours(1);
                await TimedAsync("PutObjectRetention (extend)", async () =>
                {
                    await s3.PutObjectRetentionAsync(new PutObjectRetentionRequest
                    {
                        BucketName = Bucket,
                        Key = lockedKey,
                        VersionId = versionId,
                        Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = later },
                    });
                    locked[i] = (lockedKey, versionId, later);
                });
            }
            else if (unlocked.Count > 0)
            {
                var i = random.Next(unlocked.Count);
                var (unlockedKey, versionId) = unlocked[i];
                unlocked.RemoveAt(i);
                await TimedAsync("DELETE version", () => s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = unlockedKey, VersionId = versionId }));
            }
        }
    }

    private async Task TimedAsync(string operation, Func<Task> work)
    {
        var stats = Operations.GetOrAdd(operation, _ => new OperationStats());
        var started = Stopwatch.GetTimestamp();
        try
        {
            await work();
            stats.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is AmazonS3Exception or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException or TaskCanceledException)
        {
            stats.Fail();
            Interlocked.CompareExchange(ref _firstError, $"{operation}: {e.GetType().Name}: {e.Message}", null);
        }
    }

    private MemoryStream Slice(int size) => new(_pool, 0, size, writable: false);
}
