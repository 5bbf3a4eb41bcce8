using System.Runtime.InteropServices;

namespace Ztdr.Backup.FileSystem;

/// <summary>
/// open(2) flags for the Linux architectures .NET runs on, in one place for the reader and the writer. Most values
/// are the same everywhere; O_DIRECTORY and O_NOFOLLOW differ between asm-generic (x86-64) and arm/arm64, where the
/// x86-64 values mean O_DIRECT and O_LARGEFILE — a hard-coded value would silently drop the no-follow protection.
/// </summary>
internal static class OpenFlags
{
    public const int ReadOnly = 0x0;
    public const int WriteOnly = 0x1;
    public const int Create = 0x40;
    public const int Exclusive = 0x80;
    public const int CloseOnExec = 0x80000;

    public static readonly int Directory = IsArm ? 0x4000 : 0x10000;
    public static readonly int NoFollow = IsArm ? 0x8000 : 0x20000;

    private static bool IsArm => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;
}
