using System.Text;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tests.Tls;

namespace Ztdr.Vault.Tests.Storage;

/// <summary>
/// A real vault data folder (SQLite metadata store and data files) in a temp folder of the test's own, so storage
/// tests exercise the same files and transactions the appliance uses, and still run in parallel.
/// </summary>
internal sealed class TestVault : IDisposable
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TemporaryFolder _folder = new();

    public TestVault()
    {
        Layout = new VaultLayout(_folder.Combine("data"));
        Store = VaultStore.Create(Layout, new FixedTimeProvider(Now));
    }

    public VaultLayout Layout { get; }

    public VaultStore Store { get; }

    public ObjectCatalog Objects => Store.Objects;

    public BucketCatalog Buckets => Store.Buckets;

    public UploadCatalog Uploads => Store.Uploads;

    public DataFileStore Files => Store.Files;

    public async Task<string> CreateBucketAsync(VersioningState versioning, string name = "bucket")
    {
        await Buckets.CreateAsync(name, versioning, objectLock: false);
        return name;
    }

    /// <summary>Stages, publishes and records <paramref name="content"/> as a new version, the way a PUT does.</summary>
    public async Task<Mutation<ObjectVersion>> PutAsync(string bucket, string key, string content = "data")
    {
        var segment = await WriteFileAsync(content);
        var version = new NewVersion(bucket, key, segment.Size, "\"etag-" + content + "\"", StoredHeaders.Empty, null, [segment]);
        return await Objects.PutAsync(version);
    }

    /// <summary>A published data file with <paramref name="content"/>, referenced by no metadata yet.</summary>
    public async Task<Segment> WriteFileAsync(string content)
    {
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(content));
        var staged = await Files.StageAsync(body, long.MaxValue, CancellationToken.None);
        return Files.Publish(staged, "\"part-" + content + "\"");
    }

    /// <summary>
    /// Records versions without data files, all in one transaction: listing tests need hundreds of keys (more than
    /// one catalog batch) and do not read bodies.
    /// </summary>
    public Task InsertMetadataOnlyAsync(string bucket, IEnumerable<string> keys) =>
        Store.Database.WriteAsync((connection, transaction) =>
        {
            foreach (var key in keys)
            {
                ObjectCatalog.Insert(connection, transaction, bucket, Encoding.UTF8.GetBytes(key), VersionIds.New(Now), isDeleteMarker: false, 0, "\"e\"", Now, StoredHeaders.Empty, null, []);
            }

            return true;
        });

    public string ReadFile(string fileId)
    {
        using var stream = Files.OpenRead(fileId);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public string[] StagingEntries() => Directory.GetFileSystemEntries(Layout.StagingDirectory);

    public void Dispose()
    {
        Store.Dispose();

        // Published files are 0400 in 0700 folders; deleting them needs only the folder's write bit.
        _folder.Dispose();
    }
}
