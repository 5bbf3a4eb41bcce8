using System.Security.Cryptography;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Repository;

/// <summary>The repository against a real ztdr-vault, written with the backup key (no delete permission).</summary>
public sealed class RepositoryVaultTests(VaultFixture fixture) : IClassFixture<VaultFixture>
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task OpenAndLoad_AfterInitSaveFlushOnVault_BytesMatchAndEveryObjectLocked()
    {
        var prefix = "repo-" + Guid.NewGuid().ToString("N")[..12] + "/";
        using var store = fixture.CreateStore("backup", prefix);
        var blobs = Enumerable.Range(0, 30).Select(i => RandomNumberGenerator.GetBytes(2000 + (i * 700))).ToList();
        blobs.Add(new byte[50_000]);
        var ids = new List<BlobId>();
        using (var repository = await Repo.InitAsync(store, "vault secret", TimeSpan.FromDays(1), TimeProvider.System, RepositoryTests.TestKdf, packTargetSize: 16 * 1024, generationSeconds: 3600, cancellationToken: Ct))
        {
            foreach (var blob in blobs)
            {
                ids.Add(await repository.SaveBlobAsync(BlobType.Data, blob, Ct));
            }

            await repository.SaveBlobAsync(BlobType.Tree, "{\"nodes\":[]}"u8.ToArray(), Ct);
            var coverage = await repository.EnsureCoverageAsync(TimeProvider.System.GetUtcNow() + TimeSpan.FromDays(1), Ct);
            Assert.Equal(0, coverage.Extended);
        }

        using var reopened = await Repo.OpenAsync(store, "vault secret", TimeProvider.System, Ct);
        for (var i = 0; i < blobs.Count; i++)
        {
            Assert.Equal(blobs[i], await reopened.LoadBlobAsync(ids[i], Ct));
        }

        var names = new List<string>();
        await foreach (var item in store.ListAsync(cancellationToken: Ct))
        {
            names.Add(item.Name);
        }

        Assert.Contains("config", names);
        Assert.Contains(names, n => n.StartsWith("keys/", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("index/", StringComparison.Ordinal));
        Assert.True(names.Count(n => n.StartsWith("data/", StringComparison.Ordinal)) >= 3);
        var atLeast = TimeProvider.System.GetUtcNow() + TimeSpan.FromDays(1) - TimeSpan.FromMinutes(5);
        foreach (var name in names)
        {
            var retention = await store.GetRetentionAsync(name, Ct);
            Assert.NotNull(retention);
            Assert.Equal(RetentionMode.Compliance, retention.Mode);
            Assert.True(retention.RetainUntil >= atLeast, $"{name} locked only until {retention.RetainUntil}");
        }

        await Assert.ThrowsAsync<WrongPasswordException>(() => Repo.OpenAsync(store, "not it", TimeProvider.System, Ct));
    }

    [Fact]
    public async Task RecoverUnindexedPacks_PacksOfRunThatNeverFlushed_IndexedWithVaultRetentionUsingBackupKey()
    {
        var prefix = "recover-" + Guid.NewGuid().ToString("N")[..12] + "/";
        using var store = fixture.CreateStore("backup", prefix);
        var blobs = Enumerable.Range(0, 12).Select(_ => RandomNumberGenerator.GetBytes(6000)).ToList();
        var ids = new List<BlobId>();
        using (var repository = await Repo.InitAsync(store, "vault secret", TimeSpan.FromDays(1), TimeProvider.System, RepositoryTests.TestKdf, packTargetSize: 16 * 1024, generationSeconds: 3600, cancellationToken: Ct))
        {
            // Full packs go out as they fill; the run ends without a flush, as a killed backup does.
            foreach (var blob in blobs)
            {
                ids.Add(await repository.SaveBlobAsync(BlobType.Data, blob, Ct));
            }
        }

        using var next = await Repo.OpenAsync(store, "vault secret", TimeProvider.System, Ct);
        Assert.Equal(0, next.Index.BlobCount);

        var recovery = await next.RecoverUnindexedPacksAsync(Ct);

        Assert.True(recovery.RecoveredPacks.Count >= 3, $"{recovery.RecoveredPacks.Count} packs recovered");
        Assert.Empty(recovery.Skipped);
        foreach (var pack in recovery.RecoveredPacks)
        {
            var retention = await store.GetRetentionAsync(RepositoryObjectNames.Pack(pack), Ct);
            Assert.Equal(retention!.RetainUntil, next.KnownRetainUntil(pack));
        }

        var recovered = ids.Where(id => next.Index.Has(id)).ToList();
        Assert.NotEmpty(recovered);
        foreach (var id in recovered)
        {
            Assert.Equal(blobs[ids.IndexOf(id)], await next.LoadBlobAsync(id, Ct));
        }

        using var third = await Repo.OpenAsync(store, "vault secret", TimeProvider.System, Ct);
        Assert.Equal(recovered.Count, ids.Count(third.Index.Has));
        Assert.Empty((await third.RecoverUnindexedPacksAsync(Ct)).RecoveredPacks);
    }
}
