namespace Ztdr.Backup.Crypto;

/// <summary>The type byte of an object header (repository-format.md § 5.1). The numbers are the format: frozen.</summary>
internal enum ObjectType : byte
{
    Config = 0x01,
    Pack = 0x02,
    Index = 0x03,
    Snapshot = 0x04,
    Forgotten = 0x05,
    Retention = 0x06,
    Verification = 0x07,
}
