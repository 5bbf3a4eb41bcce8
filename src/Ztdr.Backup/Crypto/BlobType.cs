namespace Ztdr.Backup.Crypto;

/// <summary>What a blob holds (repository-format.md § 3, § 7). The numbers are the format: frozen.</summary>
internal enum BlobType : byte
{
    Data = 0x01,
    Tree = 0x02,
}
