using System.Security.Cryptography;
using Ztdr.Vault.Scrubbing;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tests.Storage;

namespace Ztdr.Vault.Tests.Scrubbing;

/// <summary>
/// A real vault data folder whose segments carry real part ETags (the MD5 of their bytes, as the S3 paths write them),
/// plus the ways a disk or an intruder damages data files.
/// </summary>
internal sealed class ScrubVault : IDisposable
{
    public const string Bucket = "bucket";
    private readonly TestVault _vault = new();

    public VaultLayout Layout => _vault.Layout;

    public VaultStore Store => _vault.Store;

    public static async Task<ScrubVault> CreateAsync()
    {
        var vault = new ScrubVault();
        await vault._vault.CreateBucketAsync(VersioningState.Enabled, Bucket);
        return vault;
    }

    public Scrubber Scrubber(Func<ScrubFinding, Task>? onFinding = null, TimeProvider? time = null) =>
        new(Layout, Store.Database, time ?? TimeProvider.System, onFinding);

    /// <summary>Stores one version made of <paramref name="parts"/> (one segment each) and returns it.</summary>
    public async Task<ObjectVersion> PutAsync(string key, params byte[][] parts)
    {
        var segments = new List<Segment>();
        foreach (var part in parts)
        {
            segments.Add(await WriteFileAsync(part));
        }

        var size = segments.Sum(s => s.Size);
        var version = new NewVersion(Bucket, key, size, segments[0].PartETag, StoredHeaders.Empty, null, segments);
        return (await Store.Objects.PutAsync(version)).Result;
    }

    public Task<ObjectVersion> PutAsync(string key, int size) => PutAsync(key, RandomNumberGenerator.GetBytes(size));

    /// <summary>A published data file that no metadata refers to.</summary>
    public async Task<Segment> WriteFileAsync(byte[] content)
    {
        using var body = new MemoryStream(content);
        var staged = await Store.Files.StageAsync(body, long.MaxValue, CancellationToken.None);
#pragma warning disable CA5351 // S3's part ETag format
        return Store.Files.Publish(staged, "\"" + Convert.ToHexStringLower(MD5.HashData(content)) + "\"");
#pragma warning restore CA5351
    }

    public string PathOf(string fileId) => Path.Combine(Layout.ObjectsDirectory, fileId[..2], fileId);

    /// <summary>Flips every bit of one byte in place, the way a bad sector or a careless editor would, and restores 0400.</summary>
    public void FlipByte(string fileId, long offset)
    {
        var path = PathOf(fileId);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = offset;
            var value = stream.ReadByte();
            stream.Position = offset;
            stream.WriteByte((byte)~value);
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead);
    }

    public void Truncate(string fileId, long length)
    {
        var path = PathOf(fileId);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(length);
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead);
    }

    public void Delete(string fileId) => File.Delete(PathOf(fileId));

    public void Chmod(string fileId, UnixFileMode mode) => File.SetUnixFileMode(PathOf(fileId), mode);

    public void Dispose() => _vault.Dispose();
}
