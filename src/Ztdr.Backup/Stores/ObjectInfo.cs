namespace Ztdr.Backup.Stores;

/// <summary>A listed object: its name relative to the store, and its size in bytes.</summary>
public readonly record struct ObjectInfo(string Name, long Size);
