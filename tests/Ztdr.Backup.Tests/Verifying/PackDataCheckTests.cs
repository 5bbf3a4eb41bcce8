using System.Security.Cryptography;
using System.Text;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Backup.Verifying;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Verifying;

/// <summary>
/// <c>--read-data</c> on packs of many blobs, checked as they stream in: every blob authenticated wherever it falls
/// in the reads, and an index that disagrees with its pack (listed twice, or reaching into the trailer) judged as it
/// would be on the whole pack held in memory.
/// </summary>
public sealed class PackDataCheckTests
{
    private const string Password = "secret";
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryObjectStore _store;

    public PackDataCheckTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task CheckAsync_ManyBlobsOfMixedSizes_AllAuthenticateAndEveryByteIsCounted()
    {
        var (packId, size) = await OnePackAsync();
        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);

        var (findings, bytes) = await CheckAsync(repository, packId, size, _store);

        Assert.Empty(findings);
        Assert.Equal(size, bytes);
    }

    [Fact]
    public async Task CheckAsync_OneBlobInTheMiddleTampered_NamesOnlyThatBlob()
    {
        var (packId, size) = await OnePackAsync();
        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var entries = repository.Index.Packs[packId].Entries.OrderBy(e => e.Offset).ToList();
        var victim = entries[entries.Count / 2];
        var damaged = await CopyWithAsync(packId, bytes => bytes[victim.Offset + (victim.SealedLength / 2)] ^= 0x10);

        var (findings, _) = await CheckAsync(repository, packId, size, damaged);

        var finding = Assert.Single(findings);
        Assert.Equal(FindingKind.BlobDamaged, finding.Kind);
        Assert.Contains($"1 of {entries.Count} blobs fail authentication", finding.Detail, StringComparison.Ordinal);
        Assert.Contains($"first: blob {victim.Id}", finding.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_IndexListsABlobTwice_BothCopiesAuthenticate()
    {
        // Opening blobs in place must not spoil the bytes of an entry that overlaps the one before it.
        var (packId, size) = await OnePackAsync();
        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var pack = repository.Index.Packs[packId];
        repository.Index.Add(ObjectId.NewRandom(), [pack with { RetainUntil = pack.RetainUntil.AddDays(1), Entries = [.. pack.Entries, .. pack.Entries] }]);

        var (findings, _) = await CheckAsync(repository, packId, size, _store);

        Assert.Empty(findings);
    }

    [Fact]
    public async Task CheckAsync_LastEntryReachesIntoTheTrailer_BlobDamagedAndTrailerStillReadToDisagree()
    {
        // The stretched blob fails, and opening it in place wrote over the trailer's first bytes (a failed open clears
        // its output); the trailer must be judged on its stored bytes (it is authentic, only the index is wrong).
        var (packId, size) = await OnePackAsync();
        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var pack = repository.Index.Packs[packId];
        var last = pack.Entries.MaxBy(e => e.Offset);
        var stretched = last with { SealedLength = last.SealedLength + 40 };
        repository.Index.Add(ObjectId.NewRandom(), [pack with { RetainUntil = pack.RetainUntil.AddDays(1), Entries = [.. pack.Entries.Select(e => e == last ? stretched : e)] }]);

        var (findings, _) = await CheckAsync(repository, packId, size, _store);

        Assert.Equal([FindingKind.BlobDamaged, FindingKind.PackTrailerMismatch], findings.Select(f => f.Kind));
        Assert.Contains($"first: blob {last.Id}", findings[0].Detail, StringComparison.Ordinal);
        Assert.Contains("its trailer and the index disagree: 1 entries only in the index, 1 only in the trailer", findings[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_PackShorterThanItsEntries_NamesTheBlobsPastItsEnd()
    {
        var (packId, size) = await OnePackAsync();
        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var last = repository.Index.Packs[packId].Entries.MaxBy(e => e.Offset);
        var cut = await CopyWithAsync(packId, _ => { }, keep: (int)last.Offset + 10);

        var (findings, bytes) = await CheckAsync(repository, packId, size, cut);

        Assert.Equal(last.Offset + 10, bytes);
        Assert.Equal([FindingKind.BlobDamaged, FindingKind.PackTrailerMismatch], findings.Select(f => f.Kind));
        Assert.Contains($"1 of {repository.Index.Packs[packId].Entries.Count} blobs fail authentication (data altered or damaged); first: blob {last.Id}: it lies past the pack's end ({last.Offset + 10} bytes)", findings[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_ListedLargerThanAnyPack_RefusedWithoutDownloading()
    {
        var (packId, _) = await OnePackAsync();
        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);

        var (findings, bytes) = await CheckAsync(repository, packId, PackWriter.MaxPackLength + 1, _store);

        var finding = Assert.Single(findings);
        Assert.Equal(FindingKind.PackUnreadable, finding.Kind);
        Assert.Contains("larger than any pack can be", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(0, bytes);
    }

    private static async Task<(IReadOnlyList<VerifyFinding> Findings, long Bytes)> CheckAsync(Repo repository, ObjectId packId, long size, IObjectStore store)
    {
        var findings = new FindingSet(20);
        var (_, bytes) = await PackDataCheck.CheckAsync(store, repository, [(packId, size)], findings, new VerifyOptions(), (_, _, _) => { }, Ct);
        return (findings.Build(), bytes);
    }

    /// <summary>
    /// One pack of 60 blobs from 1 byte to 300 KiB, text and random, so blobs start and end everywhere relative to the
    /// window's reads and some are larger than its first buffer.
    /// </summary>
    private async Task<(ObjectId Pack, long Size)> OnePackAsync()
    {
        var random = new Random(14);
        using (var repository = await Repo.InitAsync(_store, Password, TimeSpan.FromDays(30), _time, Repository.RepositoryTests.TestKdf, cancellationToken: Ct))
        {
            for (var i = 0; i < 60; i++)
            {
                var length = i % 7 == 0 ? random.Next(1_200_000, 1_400_000) : random.Next(1, 40_000);
                var blob = i % 2 == 0
                    ? Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"line {i} of text ", (length / 15) + 1)))[..length]
                    : RandomNumberGenerator.GetBytes(length);
                await repository.SaveBlobAsync(BlobType.Data, blob, Ct);
            }

            await repository.FlushAsync(Ct);
        }

        await foreach (var item in _store.ListAsync(RepositoryObjectNames.DataPrefix, Ct))
        {
            Assert.True(RepositoryObjectNames.TryParseId(item.Name, RepositoryObjectNames.DataPrefix, out var id));
            return (id, item.Size);
        }

        throw new InvalidOperationException("No pack was written.");
    }

    /// <summary>A copy of the repository with the pack's bytes changed by <paramref name="change"/>, then cut to <paramref name="keep"/> bytes.</summary>
    private async Task<MemoryObjectStore> CopyWithAsync(ObjectId packId, Action<byte[]> change, int? keep = null)
    {
        var copy = new MemoryObjectStore(_time);
        await foreach (var item in _store.ListAsync("", Ct))
        {
            var data = await PackReader.ReadRangeAsync(_store, item.Name, new ByteRange(0, item.Size), Ct);
            if (item.Name == RepositoryObjectNames.Pack(packId))
            {
                change(data);
                data = data[..(keep ?? data.Length)];
            }

            await copy.PutNewAsync(item.Name, data, null, Ct);
        }

        return copy;
    }
}
