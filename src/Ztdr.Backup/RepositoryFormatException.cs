namespace Ztdr.Backup;

/// <summary>
/// An object in the repository does not follow docs/repository-format.md: bad header, unknown version, type or flag,
/// impossible lengths, or data that would decompress past its cap. Storage sent something ztdr never wrote.
/// </summary>
public sealed class RepositoryFormatException : Exception
{
    public RepositoryFormatException(string message)
        : base(message)
    {
    }

    public RepositoryFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
