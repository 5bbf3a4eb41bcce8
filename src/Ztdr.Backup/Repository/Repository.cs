using Ztdr.Backup.Authenticity;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Repository;

/// <summary>
/// An open repository (repository-format.md): its config, its keys, and the objects it writes. Every object is written
/// once under a new name with COMPLIANCE retention until the generation of the current run (§ 11).
/// </summary>
/// <remarks>One writer at a time: the blob methods are not thread-safe.</remarks>
public sealed partial class Repository : IDisposable
{
    private readonly VersionPinnedStore _store;
    private readonly AuthenticReader _reader;
    private readonly PackPins _packPins;
    private readonly TimeProvider _time;
    private readonly MasterKey _masterKey;
    private readonly RepositoryKeys _keys;
    private readonly BlobCompressor _compressor;
    private readonly CompressorPool _compressors;

    /// <summary>A config is a few hundred bytes of JSON, sealed.</summary>
    private const int MaxConfigLength = 1024 * 1024;

    private Repository(VersionPinnedStore store, AuthenticReader reader, TimeProvider time, RepositoryConfig config, MasterKey masterKey, IReadOnlyDictionary<ObjectId, KeyObject> keyObjects)
    {
        _store = store;
        _reader = reader;
        _time = time;
        Config = config;
        _masterKey = masterKey;
        _keys = masterKey.DeriveKeys();
        _compressor = new BlobCompressor(config.CompressionLevel);
        _compressors = new CompressorPool(config.CompressionLevel);
        KeyObjects = keyObjects;
        _packPins = new PackPins(store, reader, _keys, _compressors);
    }

    public RepositoryConfig Config { get; }

    public ObjectId Id => Config.Id;

    /// <summary>
    /// The store as this repository reads it: the store it was opened on, with names whose current version is an
    /// impostor read from their authentic version. Every reader of this repository's objects goes through it.
    /// </summary>
    public IObjectStore Store => _store;

    /// <summary>Versions storage served that are not this repository's, found so far by this open repository.</summary>
    public ImpostorLog Impostors => _reader.Impostors;

    /// <summary>The key object the password opened (null after init, which made it).</summary>
    public ObjectId? OpenedWithKey { get; private init; }

    /// <summary>Reads the repository's objects with impostors passed over (for the snapshot catalog and verify).</summary>
    internal AuthenticReader Reader => _reader;

    /// <summary>The key objects found on open or added since, by id.</summary>
    internal IReadOnlyDictionary<ObjectId, KeyObject> KeyObjects { get; private set; }

    /// <summary>
    /// Index objects skipped on open because they did not authenticate or parse ("name: why"). Their packs are then
    /// unindexed until a backup or copy re-indexes them from the packs' trailers; verify reports both.
    /// </summary>
    internal IReadOnlyList<string> DamagedIndexObjects => _damagedIndexObjects;

    private readonly List<string> _damagedIndexObjects = [];

    internal RepositoryKeys Keys => _keys;

    /// <summary>
    /// Creates a repository: a fresh master key, one key object for <paramref name="password"/> and the config, both
    /// locked until gen(now + <paramref name="retention"/>). Fails with <see cref="StoreErrorKind.AlreadyExists"/> when
    /// the store already holds a config.
    /// </summary>
    public static async Task<Repository> InitAsync(
        IObjectStore store,
        string password,
        TimeSpan retention,
        TimeProvider time,
        KdfParameters? kdf = null,
        int packTargetSize = RepositoryConfig.DefaultPackTargetSize,
        long generationSeconds = LockPolicy.DefaultGenerationSeconds,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var now = time.GetUtcNow();
        var config = new RepositoryConfig(ObjectId.NewRandom(), now, BlobCompressor.DefaultLevel, packTargetSize, LockPolicy.For(retention, generationSeconds));
        if (packTargetSize is < 1 or > RepositoryConfig.MaxPackSize)
        {
            throw new ArgumentOutOfRangeException(nameof(packTargetSize), packTargetSize, $"A pack target is 1..{RepositoryConfig.MaxPackSize} bytes.");
        }

        // Any version counts: a config hidden by a delete marker is still the repository, and a second init over it
        // would start another repository whose objects mix with the first's.
        var reader = new AuthenticReader(store, new ImpostorLog());
        if (await reader.FindAsync(RepositoryObjectNames.Config, cancellationToken) is not null)
        {
            throw new ObjectStoreException(StoreErrorKind.AlreadyExists, "This location already holds a ztdr repository (an object named 'config' exists); init never overwrites one.");
        }

        var masterKey = MasterKey.Generate();
        var retainUntil = config.Lock.RetainUntilForRunAt(now);

        // The key first: a config without a key that opens it would be an unopenable repository squatting the name.
        var keyId = ObjectId.NewRandom();
        var keyObject = KeyObject.Create(masterKey, password, kdf ?? KdfParameters.Default, now);
        await store.PutNewAsync(RepositoryObjectNames.Key(keyId), keyObject.Serialize(), retainUntil, cancellationToken);
        await EnsureLockedAsync(store, RepositoryObjectNames.Key(keyId), retainUntil, cancellationToken);

        using (var keys = masterKey.DeriveKeys())
        using (var compressor = new BlobCompressor(config.CompressionLevel))
        {
            var sealedConfig = SealedObject.Seal(keys, compressor, ObjectType.Config, config.Id, config.Serialize());
            await store.PutNewAsync(RepositoryObjectNames.Config, sealedConfig, retainUntil, cancellationToken);
        }

        var repository = new Repository(new VersionPinnedStore(store), reader, time, config, masterKey, new Dictionary<ObjectId, KeyObject> { [keyId] = keyObject }) { OpenedWithKey = keyId };
        repository.RecordInitialRetention(retainUntil);
        return repository;
    }

    /// <summary>
    /// Opens a repository: unwraps the master key with <paramref name="password"/> (<see cref="WrongPasswordException"/>
    /// when no key object opens), then reads and authenticates the config, the index and the retention records. Storage
    /// is not trusted: versions that do not authenticate are passed over for the authentic ones below them and logged
    /// in <see cref="Impostors"/> (<see cref="Authenticity.AuthenticReader"/>).
    /// </summary>
    public static Task<Repository> OpenAsync(IObjectStore store, string password, TimeProvider? time = null, CancellationToken cancellationToken = default) =>
        OpenAsync(store, password, new RepositoryOpenOptions(), time, cancellationToken);

    /// <summary>As <see cref="OpenAsync(IObjectStore, string, TimeProvider?, CancellationToken)"/>, with key hints.</summary>
    public static async Task<Repository> OpenAsync(IObjectStore store, string password, RepositoryOpenOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        time ??= TimeProvider.System;
        var pinned = new VersionPinnedStore(store);
        var reader = new AuthenticReader(store, new ImpostorLog());

        // Listed with its versions: a delete marker over config, or garbage written over it, hides nothing from here.
        var configName = await reader.FindAsync(RepositoryObjectNames.Config, cancellationToken)
            ?? throw new ObjectStoreException(StoreErrorKind.NotFound, "There is no ztdr repository here (no object named 'config'). Check the repository location, or create one with 'ztdr init'.");

        var opened = await KeyRing.OpenAsync(reader, password, options.PreferredKeys, cancellationToken);
        try
        {
            RepositoryConfig config;
            using (var keys = opened.MasterKey.DeriveKeys())
            using (var compressor = new BlobCompressor())
            {
                // The config's name carries no id: take it from the header; the body must then name the same id.
                config = await reader.ReadAsync(
                    configName,
                    MaxConfigLength,
                    sealedConfig =>
                    {
                        var header = ObjectHeader.Read(sealedConfig, ObjectType.Config);
                        var body = SealedObject.Open(keys, compressor, ObjectType.Config, header.Id, sealedConfig, maxBodyLength: MaxConfigLength);
                        return RepositoryConfig.Parse(body, header.Id);
                    },
                    cancellationToken) ?? throw new CryptographicIntegrityException(
                        "No version of 'config' authenticates under the master key this password opens: "
                        + string.Join("; ", reader.Impostors.Found.Where(i => i.Name == RepositoryObjectNames.Config).Take(3)));
            }

            var repository = new Repository(pinned, reader, time, config, opened.MasterKey, opened.KeyObjects) { OpenedWithKey = opened.KeyId };
            await repository.LoadStateAsync(cancellationToken);
            if (options.CacheRoot is { } cacheRoot)
            {
                repository.UseCache(cacheRoot);
            }

            return repository;
        }
        catch
        {
            opened.MasterKey.Dispose();
            throw;
        }
    }

    /// <summary>Adds a key object so <paramref name="password"/> also opens the repository; returns its id.</summary>
    public async Task<ObjectId> AddPasswordAsync(string password, KdfParameters? kdf = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var now = _time.GetUtcNow();
        var keyId = ObjectId.NewRandom();
        var keyObject = KeyObject.Create(_masterKey, password, kdf ?? KdfParameters.Default, now);
        var retainUntil = RunRetainUntil;
        await _store.PutNewAsync(RepositoryObjectNames.Key(keyId), keyObject.Serialize(), retainUntil, cancellationToken);
        KeyObjects = new Dictionary<ObjectId, KeyObject>(KeyObjects) { [keyId] = keyObject };
        NoteRetention(keyId, RepositoryObjectNames.Key(keyId), retainUntil);
        return keyId;
    }

    /// <summary>The retain-until of objects this run uploads: gen(now + retention), now read from the injected clock.</summary>
    public DateTimeOffset RunRetainUntil => Config.Lock.RetainUntilForRunAt(_time.GetUtcNow());

    public void Dispose()
    {
        foreach (var writer in _openPacks.Values)
        {
            writer.Dispose();
        }

        _compressor.Dispose();
        _compressors.Dispose();
        _uploadSlots.Dispose();
        _keys.Dispose();
        _masterKey.Dispose();
    }

    /// <summary>
    /// Reads back the retention of the first object init wrote and refuses the target unless it holds COMPLIANCE until
    /// at least <paramref name="retainUntil"/>. A store may accept lock headers and not honour them (Ceph RGW 16 drops
    /// them on multipart uploads and wraps retain-until dates after 2106-02-07 to the 1970s): trusting the request
    /// alone would build a whole repository of deletable objects. Checked before the config is written, so a refused
    /// target is left without a repository and init can run again once it is fixed.
    /// </summary>
    private static async Task EnsureLockedAsync(IObjectStore store, string name, DateTimeOffset retainUntil, CancellationToken cancellationToken)
    {
        var retention = await store.GetRetentionAsync(name, cancellationToken);
        if (retention is null || !retention.Covers(retainUntil))
        {
            throw StoreErrors.LockNotHonoured(name, retainUntil, retention);
        }
    }
}
