namespace Ztdr.Backup.Stores;

/// <summary>What a store can promise, so <c>assess</c> and <c>verify</c> can say it plainly.</summary>
/// <param name="Immutable">
/// True only when retention is enforced by something the client cannot override (S3 Object Lock in COMPLIANCE mode,
/// or a fake that models it). A folder records retention but anyone with file access can delete: false.
/// </param>
/// <param name="Description">One line for humans: what the store is and where.</param>
/// <param name="KeepsVersions">
/// True when a write over a name keeps what was there as an older version that <see cref="IObjectStore.ListVersionsAsync"/>
/// lists and <see cref="IObjectStore.GetVersionAsync"/> reads (an S3 bucket with versioning, which Object Lock requires).
/// Readers then look past a current version that fails to authenticate; on a store without history they can only skip it.
/// </param>
public sealed record StoreCapabilities(bool Immutable, string Description, bool KeepsVersions = false);
