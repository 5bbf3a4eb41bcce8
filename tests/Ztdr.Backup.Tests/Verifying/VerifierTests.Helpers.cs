using Ztdr.Backup.Archiving;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Backup.Verifying;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Verifying;

/// <summary>The backup, tamper and copy helpers the verify tests share.</summary>
public sealed partial class VerifierTests
{
    // A path under the backed-up folder as verify names it: from the snapshot's root, which mirrors the absolute path.
    private string Src(string below) => "/" + BackedUpPath.InSnapshot(_directory.Combine("src"), below);

    private static byte[] FlipMiddleByte(byte[] data)
    {
        var copy = data.ToArray();
        copy[copy.Length / 2] ^= 0x40;
        return copy;
    }

    private static Task<VerifyReport> VerifyAsync(IObjectStore store, Repo repository, VerifyOptions options) =>
        new Verifier(store, repository, new SnapshotCatalog(store, repository)).VerifyAsync(options, Ct);

    /// <summary>Backs up the source folder into <see cref="_store"/>; returns the snapshot id.</summary>
    private async Task<string> BackupAsync()
    {
        var exists = await _store.ExistsAsync(RepositoryObjectNames.Config, Ct);
        using var repository = exists
            ? await Repo.OpenAsync(_store, Password, _time, Ct)
            : await Repo.InitAsync(_store, Password, Retention, _time, Repository.RepositoryTests.TestKdf, packTargetSize: 1, cancellationToken: Ct);
        var summary = await new Archiver(repository, new SnapshotCatalog(_store, repository), _time).BackupAsync(new BackupRequest([_directory.Combine("src")]), Ct);
        return summary.SnapshotId.ToString();
    }

    /// <summary>The name of the pack holding the blob of <paramref name="content"/> (a one-chunk file).</summary>
    private async Task<string> PackOfAsync(byte[] content)
    {
        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        Assert.True(repository.Index.TryGet(repository.Keys.ChunkIdKey.ComputeId(content), out var location));
        return RepositoryObjectNames.Pack(location.PackId);
    }

    private static async Task<long> StoredPackBytesAsync(IObjectStore store)
    {
        long total = 0;
        await foreach (var item in store.ListAsync(RepositoryObjectNames.DataPrefix, Ct))
        {
            total += item.Size;
        }

        return total;
    }

    /// <summary>
    /// A copy of <see cref="_store"/> with each object's bytes (null: left out) and retain-until (null: none) as the
    /// functions say: damage written directly, bypassing the engine.
    /// </summary>
    private Task<MemoryObjectStore> CopyAsync(
        Func<string, byte[], byte[]?>? bytes = null, Func<string, DateTimeOffset?, DateTimeOffset?>? retention = null) =>
        StoreCopy.CopyAsync(_store, _time, bytes, retention, Ct);

    private sealed class Collect(List<string> phases) : IProgress<VerifyProgress>
    {
        public void Report(VerifyProgress value) => phases.Add(value.Phase);
    }
}
