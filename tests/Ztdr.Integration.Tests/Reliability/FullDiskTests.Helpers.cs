using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Reliability;

/// <content>The helpers of the full-disk tests: the small file system the vault is moved onto, and the checks.</content>
public sealed partial class FullDiskTests
{
    /// <summary>The health report as JSON, from the management socket (no key needed: the socket's mode is the authentication).</summary>
    private static async Task<string> HealthAsync(VaultProcess vault)
    {
        var socket = Path.Combine(vault.DataDirectory, "admin.sock");
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var unix = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await unix.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket), cancellationToken);
                return new System.Net.Sockets.NetworkStream(unix, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler);
        return await http.GetStringAsync(new Uri("http://localhost/admin/v1/health"));
    }

    /// <summary>ZTDR_FLOOD_REQUESTS (bench/flood.sh sets the 3,000), else 200.</summary>
    private static int FloodRequests() =>
        int.TryParse(Environment.GetEnvironmentVariable("ZTDR_FLOOD_REQUESTS"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var requests) && requests >= 4 ? requests : 200;

    private static async Task<int> AuditRecordCountAsync(VaultProcess vault)
    {
        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.DataDirectory, "--json", "-n", "1000000"]);
        Assert.True(tail.ExitCode == 0, tail.ToString());
        return tail.StandardOutput.Split('\n').Count(line => line.StartsWith('{'));
    }

    private static async Task<List<Committed>> PutBaselineAsync(AmazonS3Client s3)
    {
        var committed = new List<Committed>();
        for (var i = 0; i < 8; i++)
        {
            var body = RandomNumberGenerator.GetBytes(1000 * (i + 1));
            var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = $"baseline/{i}", InputStream = new MemoryStream(body) });
            committed.Add(new Committed($"baseline/{i}", put.VersionId, body));
        }

        var locked = RandomNumberGenerator.GetBytes(2 << 20);
        var lockedPut = await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = "baseline/locked",
            InputStream = new MemoryStream(locked),
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = DateTime.UtcNow.AddDays(1),
        });
        committed.Add(new Committed("baseline/locked", lockedPut.VersionId, locked));
        return committed;
    }

    private static async Task AssertReadableAsync(AmazonS3Client s3, IEnumerable<Committed> committed)
    {
        foreach (var expected in committed)
        {
            using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = expected.Key, VersionId = expected.VersionId });
            using var copy = new MemoryStream();
            await get.ResponseStream.CopyToAsync(copy);
            Assert.True(expected.Body.AsSpan().SequenceEqual(copy.ToArray()), $"{expected.Key} {expected.VersionId} does not read back as written");
        }
    }

    private static void AssertStorageFull(AmazonS3Exception? e)
    {
        Assert.NotNull(e);
        Assert.True((int)e.StatusCode == InsufficientStorage && e.ErrorCode == StorageFull, $"expected 507 {StorageFull}, got {(int)e.StatusCode} {e.ErrorCode}: {e.Message}");
    }

    private static async Task AssertCleanAsync(VaultProcess vault)
    {
        var audit = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", vault.DataDirectory]);
        Assert.True(audit.ExitCode == 0, audit.ToString());
        var scrub = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.DataDirectory, "--json", "--orphan-grace-seconds", "0"]);
        Assert.True(scrub.ExitCode == 0 && scrub.StandardOutput.Contains("\"orphans\": []", StringComparison.Ordinal), scrub.ToString());
    }

    private sealed record Committed(string Key, string VersionId, byte[] Body);

    /// <summary>A 64 MiB tmpfs mounted over the vault's data folder (contents carried over); unmounted on dispose.</summary>
    private sealed class SmallDisk : IAsyncDisposable
    {
        private readonly VaultProcess _vault;

        private SmallDisk(VaultProcess vault)
        {
            _vault = vault;
        }

        public static async Task<SmallDisk> MoveOntoAsync(VaultProcess vault)
        {
            Assert.Equal(0, await vault.StopAsync());
            var data = vault.DataDirectory;
            var saved = data + ".saved";
            Directory.Move(data, saved);
            Directory.CreateDirectory(data);
            await RunAsync("mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", data);
            var disk = new SmallDisk(vault);
            await RunAsync("cp", "-a", saved + "/.", data);
            await vault.RestartAsync();
            return disk;
        }

        public long FreeBytes() => new DriveInfo(_vault.DataDirectory).AvailableFreeSpace;

        /// <summary>Writes a file next to the vault's folders until the filesystem refuses another byte.</summary>
        public string FillCompletely(string name = "filler")
        {
            var path = Path.Combine(_vault.DataDirectory, name);
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
            var block = new byte[64 << 10];
            try
            {
                while (true)
                {
                    file.Write(block);
                }
            }
            catch (IOException)
            {
                // ENOSPC: full to the last block. Now single bytes into the last partial page.
            }

            return path;
        }

        public async ValueTask DisposeAsync()
        {
            _vault.KillHard();
            await RunAsync("umount", _vault.DataDirectory);
        }

        private static async Task RunAsync(string command, params string[] arguments)
        {
            var result = await ProcessRunner.RunAsync(command, arguments);
            Assert.True(result.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: {result}");
        }
    }
}
