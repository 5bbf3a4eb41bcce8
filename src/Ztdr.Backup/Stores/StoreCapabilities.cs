namespace Ztdr.Backup.Stores;

/// <summary>What a store can promise, so <c>assess</c> and <c>verify</c> can say it plainly.</summary>
/// <param name="Immutable">
/// True only when retention is enforced by something the client cannot override (S3 Object Lock in COMPLIANCE mode,
/// or a fake that models it). A folder records retention but anyone with file access can delete: false.
/// </param>
/// <param name="Description">One line for humans: what the store is and where.</param>
public sealed record StoreCapabilities(bool Immutable, string Description);
