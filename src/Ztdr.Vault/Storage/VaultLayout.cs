namespace Ztdr.Vault.Storage;

/// <summary>
/// Where everything lives inside a vault's data folder (docs/vault-storage.md, layout version 1).
/// Every path the vault touches is derived here from the data folder, never from request input,
/// so no request can name a file outside it.
/// </summary>
public sealed class VaultLayout
{
    public const int FormatVersion = 1;

    public VaultLayout(string dataDirectory)
    {
        Root = Path.GetFullPath(dataDirectory);
    }

    public string Root { get; }

    /// <summary>Marks an initialised vault and records its format version.</summary>
    public string MarkerFile => Path.Combine(Root, "vault.json");

    public string MetadataDirectory => Path.Combine(Root, "meta");

    public string MetadataDatabase => Path.Combine(MetadataDirectory, "vault.db");

    /// <summary>Immutable data files, fanned out over 256 folders by the first byte of their random name.</summary>
    public string ObjectsDirectory => Path.Combine(Root, "objects");

    /// <summary>Uploads in flight; emptied at every start (nothing in it was ever acknowledged).</summary>
    public string StagingDirectory => Path.Combine(Root, "tmp");

    public string TlsDirectory => Path.Combine(Root, "tls");

    /// <summary>
    /// Data files that no metadata row named at start (crash residue or a lost metadata store: the vault cannot tell
    /// which), moved here instead of deleted; <c>ztdr-vault recover</c> makes them readable again.
    /// </summary>
    public string QuarantineDirectory => Path.Combine(Root, "quarantine");

    /// <summary>The persisted trusted time (secure clock): retention is judged against it, never the wall clock.</summary>
    public string ClockFile => Path.Combine(MetadataDirectory, "clock.json");

    /// <summary>The hash-chained audit log.</summary>
    public string AuditDirectory => Path.Combine(Root, "audit");

    /// <summary>The management listener's Unix socket (0600): key administration, health.</summary>
    public string AdminSocket => Path.Combine(Root, "admin.sock");

    public bool IsInitialized => File.Exists(MarkerFile);

    internal string ObjectFolder(string fileId) => Path.Combine(ObjectsDirectory, fileId[..2]);

    internal string ObjectPath(string fileId) => Path.Combine(ObjectsDirectory, fileId[..2], fileId);

    internal string QuarantinePath(string fileId) => Path.Combine(QuarantineDirectory, fileId);

    /// <summary>A data file's id: 32 lowercase hex digits.</summary>
    internal static bool IsFileId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    /// <summary>Whether <paramref name="path"/> is where the vault keeps a data file: a file id, in its fan-out folder.</summary>
    internal bool IsDataFilePath(string path, out string fileId)
    {
        fileId = Path.GetFileName(path);
        return IsFileId(fileId) && Path.GetDirectoryName(path) == ObjectFolder(fileId);
    }
}
