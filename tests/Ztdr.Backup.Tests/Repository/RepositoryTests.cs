using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Repository;

public sealed class RepositoryTests
{
    // Moderate cost so tests stay fast; production keys use KdfParameters.Default.
    internal static readonly KdfParameters TestKdf = new(1024, 1, 1);
    internal static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new(Start);
    private readonly MemoryObjectStore _store;

    public RepositoryTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Open_AfterInit_ReadsSameConfig()
    {
        using var created = await Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, TestKdf, cancellationToken: Ct);

        using var opened = await Repo.OpenAsync(_store, "secret", _time, Ct);

        Assert.Equal(created.Id, opened.Id);
        Assert.Equal(created.Config, opened.Config);
        Assert.Equal(2_592_000, opened.Config.Lock.RetentionSeconds);
        Assert.Single(opened.KeyObjects);
    }

    [Fact]
    public async Task Open_WrongPassword_ThrowsWrongPasswordException()
    {
        using var created = await Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, TestKdf, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<WrongPasswordException>(() => Repo.OpenAsync(_store, "wrong", _time, Ct));

        Assert.Contains("password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_NoRepository_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Repo.OpenAsync(_store, "secret", _time, Ct));

        Assert.Equal(StoreErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task Init_Twice_FailsWithAlreadyExists()
    {
        using var created = await Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, TestKdf, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Repo.InitAsync(_store, "other", TimeSpan.FromDays(30), _time, TestKdf, cancellationToken: Ct));

        Assert.Equal(StoreErrorKind.AlreadyExists, error.Kind);
    }

    [Fact]
    public async Task Open_TamperedConfig_ThrowsIntegrityException()
    {
        using (await Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, TestKdf, cancellationToken: Ct))
        {
        }

        // Storage cannot overwrite a locked name, so the attack is a store that serves other bytes: model it with a copy.
        var tampered = new MemoryObjectStore(_time);
        await foreach (var item in _store.ListAsync(cancellationToken: Ct))
        {
            var bytes = await ReadAllAsync(_store, item.Name);
            if (item.Name == RepositoryObjectNames.Config)
            {
                bytes[^20] ^= 0x01;
            }

            await tampered.PutNewAsync(item.Name, bytes, null, Ct);
        }

        await Assert.ThrowsAsync<CryptographicIntegrityException>(() => Repo.OpenAsync(tampered, "secret", _time, Ct));
    }

    [Fact]
    public async Task Open_PlantedMalformedKeyObject_StillOpens()
    {
        using (await Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, TestKdf, cancellationToken: Ct))
        {
        }

        await _store.PutNewAsync(RepositoryObjectNames.Key(ObjectId.NewRandom()), "{ not json"u8.ToArray(), null, Ct);

        using var opened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        Assert.Single(opened.KeyObjects);
    }

    [Fact]
    public async Task Open_AddedPassword_OpensWithEither()
    {
        using (var created = await Repo.InitAsync(_store, "first", TimeSpan.FromDays(30), _time, TestKdf, cancellationToken: Ct))
        {
            await created.AddPasswordAsync("second", TestKdf, Ct);
        }

        using var byFirst = await Repo.OpenAsync(_store, "first", _time, Ct);
        using var bySecond = await Repo.OpenAsync(_store, "second", _time, Ct);

        Assert.Equal(byFirst.Id, bySecond.Id);
        Assert.Equal(2, bySecond.KeyObjects.Count);
    }

    [Fact]
    public async Task Init_EveryObject_WrittenOnceWithComplianceUntilGeneration()
    {
        using var created = await Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, TestKdf, cancellationToken: Ct);

        var names = new List<string>();
        await foreach (var item in _store.ListAsync(cancellationToken: Ct))
        {
            names.Add(item.Name);
        }

        Assert.Equal(2, names.Count);
        Assert.Contains(RepositoryObjectNames.Config, names);
        var expected = created.Config.Lock.Generation(Start + TimeSpan.FromDays(30));
        Assert.Equal(0, expected.ToUnixTimeSeconds() % LockPolicy.DefaultGenerationSeconds);
        Assert.True(expected >= Start + TimeSpan.FromDays(30));
        foreach (var name in names)
        {
            var retention = await _store.GetRetentionAsync(name, Ct);
            Assert.Equal(new ObjectRetention(RetentionMode.Compliance, expected), retention);
        }

        Assert.Equal(2, _store.RetentionWrites);
    }

    [Fact]
    public void Generation_OnAndOffBoundary_RoundsUp()
    {
        var policy = new LockPolicy(100, 60);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(120), policy.Generation(DateTimeOffset.FromUnixTimeSeconds(120)));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(180), policy.Generation(DateTimeOffset.FromUnixTimeSeconds(121)));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(180), policy.Generation(DateTimeOffset.FromUnixTimeMilliseconds(120_001)));
    }

    internal static async Task<byte[]> ReadAllAsync(IObjectStore store, string name)
    {
        await using var stream = await store.GetAsync(name, cancellationToken: CancellationToken.None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, CancellationToken.None);
        return buffer.ToArray();
    }
}
