namespace Ztdr.Backup.Stores;

/// <summary>The closed set of ways a store operation fails. Callers decide on the kind, never on message text.</summary>
public enum StoreErrorKind
{
    /// <summary>The object (or the bucket) does not exist.</summary>
    NotFound = 1,

    /// <summary>The credentials may not do this, or a lock forbids it (a protected object cannot be deleted).</summary>
    AccessDenied = 2,

    /// <summary>A write-once name already holds different bytes.</summary>
    AlreadyExists = 3,

    /// <summary>The store could not be reached or kept failing after retries (5xx, throttling, network, TLS).</summary>
    Unavailable = 4,

    /// <summary>The store refused the request as invalid (for example a retain-until date in the past); not retried.</summary>
    Rejected = 5,

    /// <summary>
    /// The bytes the store served fail the store's own checksum of the object: it was altered or damaged where it is
    /// stored. Not retried (the next read gets the same bytes); the object is named so verify can say what it affects.
    /// </summary>
    Damaged = 6,
}
