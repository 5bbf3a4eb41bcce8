namespace Ztdr.Backup.Crypto;

/// <summary>
/// A sealed unit failed authentication: wrong key, a changed byte, or a blob presented under another id, type or
/// object. The data must not be used; `ztdr verify` names what is damaged.
/// </summary>
public sealed class CryptographicIntegrityException : Exception
{
    public CryptographicIntegrityException(string message)
        : base(message)
    {
    }

    public CryptographicIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
