using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// Sets a path's modification time to the nanosecond with utimensat(2), without following a final symlink: .NET's
/// managed setters round to 100 ns and follow symlinks, so a restored symlink would change its target's time.
/// </summary>
internal static class FileTimes
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const long UtimeOmit = (1L << 30) - 2;

    public static void SetModificationTime(string path, long mtimeNs)
    {
        var seconds = Math.DivRem(mtimeNs, 1_000_000_000L, out var nanoseconds);
        if (nanoseconds < 0)
        {
            seconds--;
            nanoseconds += 1_000_000_000L;
        }

        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            // struct timespec is two 64-bit words only on 64-bit Linux; elsewhere the managed setter is close enough.
            File.SetLastWriteTimeUtc(path, DateTime.UnixEpoch.AddTicks(mtimeNs / 100));
            return;
        }

        // times[0] is the access time (left alone), times[1] the modification time.
        long[] times = [0, UtimeOmit, seconds, nanoseconds];
        if (Utimensat(AtFdCwd, path, times, AtSymlinkNoFollow) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot set the modification time of '{path}': {new Win32Exception(errno).Message}.", errno);
        }
    }

    [DllImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Utimensat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, long[] times, int flags);
}
