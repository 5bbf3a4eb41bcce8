using System.Runtime.InteropServices;

namespace Ztdr.Vault.Storage;

/// <summary>
/// fsync for directories, which .NET does not expose: after a rename, the directory entry itself must reach the
/// disk or a power loss can forget the file that the metadata store already points to.
/// </summary>
internal static class DurableFiles
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux

    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(path, ReadOnly | Directory);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // DllImport rather than LibraryImport: these signatures need no marshalling code and no unsafe blocks.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
#pragma warning restore SYSLIB1054
}
