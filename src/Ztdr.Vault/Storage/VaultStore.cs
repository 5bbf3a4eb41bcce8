using Ztdr.Vault.Identity;

namespace Ztdr.Vault.Storage;

/// <summary>Everything persistent in one vault data folder: data files, metadata catalogs and keys.</summary>
public sealed class VaultStore : IDisposable
{
    private VaultStore(VaultLayout layout, MetadataDatabase db, TimeProvider time)
    {
        Layout = layout;
        Database = db;
        Files = new DataFileStore(layout);
        Buckets = new BucketCatalog(db, time);
        Objects = new ObjectCatalog(db, time);
        Uploads = new UploadCatalog(db, time);
        Keys = new AccessKeyStore(db, time);
        Locks = new ObjectLockCatalog(db);
    }

    public VaultLayout Layout { get; }

    public MetadataDatabase Database { get; }

    public DataFileStore Files { get; }

    public BucketCatalog Buckets { get; }

    public ObjectCatalog Objects { get; }

    public UploadCatalog Uploads { get; }

    public AccessKeyStore Keys { get; }

    public ObjectLockCatalog Locks { get; }

    /// <summary>Opens an initialised data folder and clears its staging area.</summary>
    public static VaultStore Open(string dataDirectory, TimeProvider time)
    {
        var layout = new VaultLayout(dataDirectory);
        if (!layout.IsInitialized)
        {
            throw new InvalidOperationException($"{layout.Root} is not a vault data folder (run 'ztdr-vault init --data {dataDirectory}' first)");
        }

        var store = new VaultStore(layout, MetadataDatabase.Open(layout.MetadataDatabase, create: false), time);
        store.Files.Prepare();
        return store;
    }

    /// <summary>Creates the folders and metadata store of a new vault; the caller writes the marker file last.</summary>
    internal static VaultStore Create(VaultLayout layout, TimeProvider time)
    {
        var store = new VaultStore(layout, MetadataDatabase.Open(layout.MetadataDatabase, create: true), time);
        store.Files.Prepare();
        return store;
    }

    /// <summary>Removes data files after the commit that unreferenced them.</summary>
    public void DeleteFiles(IEnumerable<string> fileIds)
    {
        foreach (var id in fileIds)
        {
            Files.Delete(id);
        }
    }

    public void Dispose() => Database.Dispose();
}
