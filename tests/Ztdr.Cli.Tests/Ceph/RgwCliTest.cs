using Amazon.S3.Model;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Ceph;

/// <summary>
/// A test class against the shared Ceph RGW cluster: its own scratch folder per test, its own key prefix per test, and
/// the environment of a ztdr process using that prefix of an RGW bucket.
/// </summary>
[Collection(CephRgwCollection.Name)]
public abstract class RgwCliTest(CephRgwFixture fixture, string scratchName) : IDisposable
{
    protected CephRgwProcess Rgw => fixture.Rgw;

    protected TemporaryDirectory Scratch { get; } = new(scratchName);

    /// <summary>A prefix no other test uses, so tests sharing the cluster cannot see each other's repositories.</summary>
    protected string Prefix { get; } = scratchName + "-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Scratch.Dispose();

    /// <summary>The environment of a ztdr process on <paramref name="prefix"/> of <paramref name="bucket"/> as <paramref name="profile"/>.</summary>
    protected Dictionary<string, string> EnvironmentFor(string prefix, string profile = CephRgwProcess.BackupProfile, string bucket = CephRgwProcess.LockBucket) => new()
    {
        ["ZTDR_REPOSITORY"] = RepositoryUrl(prefix, bucket),
        ["ZTDR_PASSWORD"] = VaultCliTest.Password,
        ["AWS_SHARED_CREDENTIALS_FILE"] = Rgw.CredentialsFile,
        ["AWS_PROFILE"] = profile,
    };

    protected string RepositoryUrl(string prefix, string bucket = CephRgwProcess.LockBucket) => $"s3:{Rgw.Endpoint}/{bucket}/{prefix}";

    /// <summary>Every object key under <paramref name="prefix"/>/ in <paramref name="bucket"/>, as the admin sees them.</summary>
    protected async Task<List<S3Object>> ListAsync(string prefix, string bucket = CephRgwProcess.LockBucket)
    {
        using var admin = Rgw.CreateClient(CephRgwProcess.AdminProfile);
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix + "/" };
        var objects = new List<S3Object>();
        while (true)
        {
            var page = await admin.ListObjectsV2Async(request);
            objects.AddRange(page.S3Objects ?? []);
            if (page.IsTruncated != true)
            {
                return objects;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>
    /// A small generated tree: 120 small files in nested folders, a 3 MiB random file and its duplicate, a 1 MiB run of
    /// zeros, a symlink and an empty folder. Small enough that the whole Ceph collection stays within its time budget.
    /// </summary>
    protected static string CreateTree(string root, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 120; i++)
        {
            var folder = Path.Combine(root, "small", $"d{i % 4}", $"e{i % 3}");
            Directory.CreateDirectory(folder);
            var bytes = new byte[random.Next(0, 8 * 1024)];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(folder, $"f{i}.bin"), bytes);
        }

        var big = new byte[3 * 1024 * 1024];
        random.NextBytes(big);
        File.WriteAllBytes(Path.Combine(root, "big.bin"), big);
        File.WriteAllBytes(Path.Combine(root, "big-copy.bin"), big);
        File.WriteAllBytes(Path.Combine(root, "zeros.bin"), new byte[1024 * 1024]);
        File.CreateSymbolicLink(Path.Combine(root, "link"), "big.bin");
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        return root;
    }

    /// <summary>diff(1) of two trees, not following symlinks: exit 0 when identical.</summary>
    protected static Task<ProcessResult> DiffAsync(string expected, string actual) =>
        ProcessRunner.RunAsync("diff", ["-r", "--no-dereference", expected, actual]);
}
