namespace Ztdr.Vault.Audit;

/// <summary>The files of one audit folder (docs/audit-format.md, "Files").</summary>
internal sealed record AuditPaths(string Directory)
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Log => Path.Combine(Directory, "log.jsonl");

    public string Head => Path.Combine(Directory, "head");

    /// <summary>Held exclusively by the one process that appends; readers never take it.</summary>
    public string Lock => Path.Combine(Directory, "lock");

    /// <summary>
    /// Preallocated space only the audit log may use: released when the disk is full so the records of requests
    /// already committed still land (docs/audit-format.md, "Full disk"). Not part of the chain.
    /// </summary>
    public string SpaceReserve => Path.Combine(Directory, "space.reserve");

    /// <summary>The private key that signs checkpoints of the chain's head (PKCS#8 PEM, ECDSA P-256); never leaves the host.</summary>
    public string SigningKey => Path.Combine(Directory, "checkpoint.key");

    /// <summary>Its public half (SubjectPublicKeyInfo PEM): the operator keeps a copy off the host to verify checkpoints with.</summary>
    public string PublicKey => Path.Combine(Directory, "checkpoint.pub");

    /// <summary>Signed checkpoints, one JSON line each (docs/audit-format.md, "Checkpoints"); an export target, not evidence on its own.</summary>
    public string Checkpoints => Path.Combine(Directory, "checkpoints.jsonl");

    public static AuditPaths Existing(string auditDirectory)
    {
        var full = Path.GetFullPath(auditDirectory);
        return System.IO.Directory.Exists(full)
            ? new AuditPaths(full)
            : throw new DirectoryNotFoundException($"There is no audit folder at '{full}'.");
    }
}
