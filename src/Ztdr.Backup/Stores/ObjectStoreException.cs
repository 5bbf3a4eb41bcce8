namespace Ztdr.Backup.Stores;

/// <summary>
/// The only exception a store throws (besides cancellation and argument checks). The message is one line that names
/// the object and says what happened; the client library's exception, if any, is the inner exception.
/// </summary>
public sealed class ObjectStoreException : Exception
{
    public ObjectStoreException(StoreErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public StoreErrorKind Kind { get; }
}
