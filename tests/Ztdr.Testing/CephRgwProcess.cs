using Amazon.Runtime;
using Amazon.S3;

namespace Ztdr.Testing;

/// <summary>
/// A real one-host Ceph cluster with its S3 gateway (scripts/ceph-rgw.sh: 1 monitor, 1 memstore OSD, 1 radosgw 16.2.15
/// on loopback), as a resilience zone on an existing distributed store. Nothing is faked: the tests reach RGW's own S3
/// implementation and Object Lock. The gateway speaks plain HTTP on 127.0.0.1 (a test zone; assess reports the
/// missing TLS, which is correct evidence). Starting takes 15-30 s, so tests share one per collection.
/// </summary>
/// <remarks>
/// Needs root and the Debian packages scripts/deps.sh installs. A cluster that cannot start fails the fixture with the
/// script's output and the tail of the daemon logs; it never skips.
/// </remarks>
public sealed class CephRgwProcess : IAsyncDisposable
{
    /// <summary>Owns the buckets: every S3 action on them, yet COMPLIANCE locks still refuse it deletes.</summary>
    public const string AdminProfile = "admin";

    /// <summary>Put, get, list, read and extend retention; no delete and no bucket configuration (a bucket policy).</summary>
    public const string BackupProfile = "backup";

    /// <summary>Get and list, read retention: restores and zone copies (a bucket policy).</summary>
    public const string ReaderProfile = "reader";

    /// <summary>Created with versioning and Object Lock enabled (RGW 16.2.15 cannot enable Object Lock later).</summary>
    public const string LockBucket = "backups";

    /// <summary>Versioning only, no Object Lock: a target that cannot lock, for negative tests.</summary>
    public const string PlainBucket = "no-lock";

    private readonly TemporaryDirectory _directory;

    private CephRgwProcess(TemporaryDirectory directory, IReadOnlyDictionary<string, string> values)
    {
        _directory = directory;
        Endpoint = values["CEPH_RGW_ENDPOINT"];
        Port = int.Parse(values["CEPH_RGW_PORT"], System.Globalization.CultureInfo.InvariantCulture);
        CredentialsFile = values["AWS_SHARED_CREDENTIALS_FILE"];
    }

    /// <summary>http://127.0.0.1:port, no trailing slash.</summary>
    public string Endpoint { get; }

    public int Port { get; }

    /// <summary>AWS shared credentials file with the <see cref="AdminProfile"/>, <see cref="BackupProfile"/> and <see cref="ReaderProfile"/> profiles.</summary>
    public string CredentialsFile { get; }

    /// <summary>How long the script took to bring the cluster up (for the docs, never asserted).</summary>
    public TimeSpan StartTime { get; private init; }

    public static string Script => Path.Combine(RepositoryPaths.Root, "scripts", "ceph-rgw.sh");

    public static async Task<CephRgwProcess> StartAsync()
    {
        var directory = new TemporaryDirectory("ceph-rgw");
        var folder = directory.Combine("cluster");
        var started = System.Diagnostics.Stopwatch.StartNew();
        ProcessResult result;
        try
        {
            result = await ProcessRunner.RunAsync("bash", [Script, "start", folder], timeout: TimeSpan.FromMinutes(3));
        }
        catch
        {
            await StopAsync(folder);
            directory.Dispose();
            throw;
        }

        if (result.ExitCode != 0)
        {
            // Kept for the message, then removed: the script has already stopped what it started.
            var message = $"scripts/ceph-rgw.sh start failed: {result}";
            directory.Dispose();
            throw new InvalidOperationException(message);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq]] = line[(eq + 1)..];
            }
        }

        return new CephRgwProcess(directory, values) { StartTime = started.Elapsed };
    }

    /// <summary>The access key id and secret of <paramref name="profile"/>.</summary>
    public (string AccessKeyId, string Secret) Credentials(string profile) =>
        CredentialsFileProfile.Read(CredentialsFile, profile);

    /// <summary>
    /// A raw AWSSDK.S3 client for <paramref name="profile"/>, path-style, with checksums only where S3 requires them: a
    /// bare SDK client's default trailing checksum is what RGW 16 refuses. ztdr itself needs no such setting.
    /// </summary>
    public AmazonS3Client CreateClient(string profile)
    {
        var (id, secret) = Credentials(profile);
        var config = new AmazonS3Config
        {
            ServiceURL = Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        return new AmazonS3Client(new BasicAWSCredentials(id, secret), config);
    }

    /// <summary>The last lines of every daemon log, for a failure message.</summary>
    public string LogTail(int lines = 20)
    {
        var logs = Path.Combine(_directory.Path, "cluster", "log");
        if (!Directory.Exists(logs))
        {
            return string.Empty;
        }

        return string.Join(
            '\n',
            Directory.EnumerateFiles(logs, "*.log").Order(StringComparer.Ordinal).Select(f => $"== {Path.GetFileName(f)}\n{string.Join('\n', File.ReadLines(f).TakeLast(lines))}"));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_directory.Combine("cluster"));
        _directory.Dispose();
    }

    private static async Task StopAsync(string folder)
    {
        if (Directory.Exists(folder))
        {
            await ProcessRunner.RunAsync("bash", [Script, "stop", folder], timeout: TimeSpan.FromMinutes(1));
        }
    }
}
