using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Audit;

/// <summary>
/// The audit log accepts no records: it was opened read-only (no space at start) or failed closed. Every append is
/// refused with this until the vault restarts, so no mutation can commit without its record.
/// </summary>
public sealed class AuditLogUnavailableException : IOException
{
    public AuditLogUnavailableException()
    {
    }

    public AuditLogUnavailableException(string message)
        : base(message)
    {
    }

    public AuditLogUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
        OutOfSpace = innerException is IOException io && DataFileStore.IsNoSpace(io);
    }

    /// <summary>The cause is a full filesystem: S3 callers get 507 XVaultStorageFull, not 500.</summary>
    public bool OutOfSpace { get; init; }
}
