namespace Ztdr.Backup.Stores;

/// <summary>
/// The storage port: a flat namespace of write-once objects, each optionally under COMPLIANCE retention. The engine
/// reaches storage only through this interface, and one conformance suite runs against every implementation.
/// </summary>
/// <remarks>
/// <para>Names are relative to the store (a bucket prefix or a folder): non-empty, '/'-separated segments, none of
/// them empty, "." or "..", no backslash and no control characters (<see cref="ObjectNames"/>).</para>
/// <para>Every failure the store reports is an <see cref="ObjectStoreException"/> whose <see cref="StoreErrorKind"/>
/// is one of a closed set; no client-library exception escapes. Transient failures are retried inside the store
/// before <see cref="StoreErrorKind.Unavailable"/> is reported. Cancellation surfaces as
/// <see cref="OperationCanceledException"/>.</para>
/// </remarks>
public interface IObjectStore
{
    /// <summary>What this store can honestly promise.</summary>
    StoreCapabilities Capabilities { get; }

    /// <summary>
    /// Writes a new object. The name must not exist yet: an existing object is never overwritten (S3: a conditional
    /// PUT with <c>If-None-Match: *</c>; folder: an atomic no-replace rename).
    /// </summary>
    /// <remarks>
    /// <para><b>Idempotent retry rule.</b> If the name already exists and holds exactly the same bytes (compared by
    /// SHA-256 of both), the call succeeds: a retry after a lost response must not fail the backup. If
    /// <paramref name="retainUntil"/> is later than the existing object's retention, the retention is extended to it,
    /// so on return the postcondition holds either way. Different bytes (or a non-seekable
    /// <paramref name="content"/> that cannot be re-read for the comparison) give
    /// <see cref="StoreErrorKind.AlreadyExists"/> and the stored object is untouched.</para>
    /// <para><b>Retention.</b> With <paramref name="retainUntil"/>, the object is written under COMPLIANCE retention
    /// until that instant in the same request; a date not in the future is <see cref="StoreErrorKind.Rejected"/>.
    /// Without it, the object carries no retention of its own (a bucket default rule may still apply).</para>
    /// <para><paramref name="content"/> is streamed, read from its current position to its end, and not disposed.
    /// A seekable stream lets the store retry transient failures and apply the retry rule.</para>
    /// </remarks>
    Task PutNewAsync(string name, Stream content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="PutNewAsync(string, Stream, DateTimeOffset?, CancellationToken)"/>, from memory.</summary>
    Task PutNewAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens an object's bytes, or the bytes of <paramref name="range"/> (clamped to the object's end), as a stream
    /// the caller disposes. Missing: <see cref="StoreErrorKind.NotFound"/>.
    /// </summary>
    Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every object whose name starts with <paramref name="prefix"/> (plain string prefix, not a folder), with its
    /// size, in ordinal name order. Listing a prefix with no objects yields nothing; it is not an error.
    /// </summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// Every version of every object whose name starts with <paramref name="prefix"/>, delete markers included: names
    /// in ordinal order, and each name's versions newest first. This is how a reader sees past what the current version
    /// shows (an impostor written over a name, a delete marker hiding one): ztdr writes every name once, so a name with
    /// more than one version was written to by someone else. A store that keeps no history
    /// (<see cref="StoreCapabilities.KeepsVersions"/> false) lists each object once, with a null version id.
    /// </summary>
    IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="GetAsync"/>, for one version <paramref name="versionId"/> listed by
    /// <see cref="ListVersionsAsync"/> (null: the current version, exactly as <see cref="GetAsync"/>). A delete marker
    /// or a version that is not there: <see cref="StoreErrorKind.NotFound"/>.
    /// </summary>
    Task<Stream> GetVersionAsync(string name, string? versionId, ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>Whether the object exists (false, not an error, when it does not).</summary>
    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// The object's retention as the store records it, or null when it has none. Expired retention is still reported
    /// (it is history, as S3 does). Missing object: <see cref="StoreErrorKind.NotFound"/>.
    /// </summary>
    Task<ObjectRetention?> GetRetentionAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the object COMPLIANCE-locked until at least <paramref name="retainUntil"/>. Never shortens: when the
    /// current COMPLIANCE retention is already that late or later this is a no-op (no write). Concurrent extensions
    /// converge on the latest date. Missing object: <see cref="StoreErrorKind.NotFound"/>; a date not in the future
    /// (when the object is not already locked past it): <see cref="StoreErrorKind.Rejected"/>.
    /// </summary>
    Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="GetRetentionAsync"/>, for one version listed by <see cref="ListVersionsAsync"/> (null: the current
    /// one). A reader that found the current version to be an impostor judges lock coverage on the authentic version.
    /// </summary>
    Task<ObjectRetention?> GetVersionRetentionAsync(string name, string? versionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="ExtendRetentionAsync"/>, for one version (null: the current one): S3's PutObjectRetention
    /// addresses the current version unless given a version id, and the current version may be an impostor.
    /// </summary>
    Task ExtendVersionRetentionAsync(string name, string? versionId, DateTimeOffset retainUntil, CancellationToken cancellationToken = default);

    /// <summary>
    /// Permanently removes the object, for prune only (S3: every version by version id, which needs the maintenance
    /// key; never a delete marker, which would hide data without freeing it). An object under unexpired retention is
    /// <see cref="StoreErrorKind.AccessDenied"/> and stays intact. Deleting a name that does not exist succeeds, so a
    /// prune can be retried.
    /// </summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken = default);
}
