namespace Ztdr.Vault.Identity;

/// <summary>What a key may do (ARCHITECTURE.md, least privilege). No role, alone or combined, may destroy locked data.</summary>
[Flags]
public enum Role
{
    None = 0,

    /// <summary>Buckets, keys and configuration.</summary>
    Admin = 1,

    /// <summary>Write, read, list, extend retention; never delete a version.</summary>
    Backup = 2,

    /// <summary>Read and list.</summary>
    Reader = 4,

    /// <summary>Delete only what is unlocked and expired.</summary>
    Maintenance = 8,
}
