namespace Ztdr.Backup.Stores;

/// <summary>
/// One stored version of an object as a versioned store lists it: the name relative to the store, the store's version
/// id (null on a store that keeps no history, where the object is its only version), its size, when the store says it
/// was written, and whether it is a delete marker (S3: a version without bytes that hides the ones below it).
/// </summary>
public readonly record struct ObjectVersion(string Name, string? VersionId, long Size, DateTimeOffset? LastModified, bool IsDeleteMarker);
