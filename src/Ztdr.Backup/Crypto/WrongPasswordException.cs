namespace Ztdr.Backup.Crypto;

/// <summary>No key object of the repository opens with the given password.</summary>
public sealed class WrongPasswordException : Exception
{
    public WrongPasswordException(string message)
        : base(message)
    {
    }
}
