namespace Ztdr.Backup.Stores;

/// <summary>Every store error message is built here, so they stay one line and say what to do.</summary>
internal static class StoreErrors
{
    public static ObjectStoreException NotFound(string name, Exception? inner = null) =>
        new(StoreErrorKind.NotFound, $"object '{name}' does not exist", inner);

    public static ObjectStoreException AlreadyExists(string name) =>
        new(StoreErrorKind.AlreadyExists, $"object '{name}' already exists with different content; objects are written once and never overwritten");

    public static ObjectStoreException Locked(string name, DateTimeOffset retainUntil) =>
        new(StoreErrorKind.AccessDenied, $"object '{name}' is locked until {retainUntil.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} and cannot be deleted");

    public static ObjectStoreException AccessDenied(string what, string detail, Exception? inner = null) =>
        new(StoreErrorKind.AccessDenied, $"{what}: access denied ({detail}); check the credentials profile and its role", inner);

    public static ObjectStoreException Unavailable(string what, string detail, Exception? inner = null) =>
        new(StoreErrorKind.Unavailable, $"{what}: store unavailable ({detail}); retried, giving up", inner);

    public static ObjectStoreException RetentionNotInFuture(string name, DateTimeOffset retainUntil) =>
        new(StoreErrorKind.Rejected, $"object '{name}': retain-until {retainUntil.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} is not in the future");

    public static ObjectStoreException LockNotHonoured(string name, DateTimeOffset requested, ObjectRetention? found) =>
        new(
            StoreErrorKind.Rejected,
            $"the store accepted object '{name}' with COMPLIANCE retention until {requested.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} but reports "
            + (found is null ? "no retention at all" : $"{found.Mode.ToString().ToUpperInvariant()} until {found.RetainUntil.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}")
            + "; it does not lock what it is asked to, so no repository was created (check the bucket's Object Lock, or choose a shorter retention)");

    public static ObjectStoreException Damaged(string what, string detail, Exception? inner = null) =>
        new(StoreErrorKind.Damaged, $"{what} is damaged in storage: its bytes do not match the checksum storage recorded ({detail})", inner);

    public static ObjectStoreException Rejected(string what, string detail, Exception? inner = null) =>
        new(StoreErrorKind.Rejected, $"{what}: rejected by the store ({detail})", inner);
}
