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
        Commits = new Commits(this);
    }

    public VaultLayout Layout { get; }

    public MetadataDatabase Database { get; }

    public DataFileStore Files { get; }

    public BucketCatalog Buckets { get; }

    public ObjectCatalog Objects { get; }

    public UploadCatalog Uploads { get; }

    public AccessKeyStore Keys { get; }

    public ObjectLockCatalog Locks { get; }

    /// <summary>The only way S3 writes change data files and metadata together: publish, commit, clean up.</summary>
    public Commits Commits { get; }

    /// <summary>
    /// Opens an initialised data folder. It does not clean up after a crash: that is <see cref="RecoverFromCrash"/>,
    /// for the caller that holds the folder exclusively.
    /// </summary>
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

    /// <summary>
    /// Cleans up after an interrupted run: deletes clock.json's temporary files in <c>meta/</c>, empties <c>tmp/</c>
    /// (nothing there was acknowledged) and moves unreferenced files in <c>objects/</c> to <c>quarantine/</c>
    /// (docs/vault-storage.md, crash analysis). Only while no request is in flight and no other vault process serves this
    /// folder: an upload between publish and commit looks exactly like a crash leftover.
    /// </summary>
    public CrashLeftovers RecoverFromCrash()
    {
        DurableFile.DeleteLeftovers(Layout.MetadataDirectory);
        Files.ClearStaging();
        return Files.QuarantineUnreferenced(ReferencedFiles);
    }

    /// <summary>Whether a committed segment or an in-flight part names <paramref name="fileId"/>.</summary>
    public bool IsReferenced(string fileId) => ReferencedFiles().Contains(fileId);

    /// <summary>Every data file a committed version or an in-flight multipart part names.</summary>
    private HashSet<string> ReferencedFiles() => Database.Read(connection =>
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT file_id FROM segments UNION SELECT file_id FROM parts";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    });

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
