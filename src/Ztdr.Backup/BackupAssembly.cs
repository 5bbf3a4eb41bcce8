namespace Ztdr.Backup;

/// <summary>Anchor for the engine's assembly (format versions live with their modules).</summary>
public static class BackupAssembly
{
}
