namespace Ztdr.Backup.Crypto;

/// <summary>
/// The first byte of a sealed unit's associated data (repository-format.md § 5.2): it stops a trailer from being read
/// as a blob and a data blob from being read as a tree. The numbers are the format: frozen.
/// </summary>
internal enum SealedUnitKind : byte
{
    DataBlob = 0x01,
    TreeBlob = 0x02,
    PackTrailer = 0x10,
    ObjectBody = 0x11,
}
