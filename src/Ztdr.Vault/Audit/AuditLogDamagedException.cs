namespace Ztdr.Vault.Audit;

/// <summary>
/// The audit folder holds something the vault must not build on: a chain cut short, a missing or contradicted head
/// anchor, an unreadable record. The message names what was found and what to do.
/// </summary>
public sealed class AuditLogDamagedException : IOException
{
    public AuditLogDamagedException()
    {
    }

    public AuditLogDamagedException(string message)
        : base(message)
    {
    }

    public AuditLogDamagedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
