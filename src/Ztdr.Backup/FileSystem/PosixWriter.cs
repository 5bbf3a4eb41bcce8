using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Ztdr.Backup.FileSystem;

/// <summary>
/// Every file-system write of a restore, by raw byte path through libc. Byte paths because a snapshot may hold names
/// that are not UTF-8 (<c>nameRaw</c>), which no .NET string API can create; one code path then serves every name.
/// Nothing here follows a final symlink: files are created with O_EXCL|O_NOFOLLOW, times and owners are set with the
/// no-follow variants, so a symlink planted at a restored path is never written through. 64-bit Linux only: the
/// constants and struct layouts below are the generic Linux ones, O_NOFOLLOW aside.
/// </summary>
internal static class PosixWriter
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint RenameNoReplace = 1;
    private const long UtimeOmit = (1L << 30) - 2;
    private const int StatxType = 0x1;
    private const int StatxLength = 256;
    private const int Enoent = 2;
    private const int Eexist = 17;
    private const int Enotdir = 20;
    private const int Einval = 22;
    private const int Enosys = 38;

    /// <summary>Whether this process can write with this class: 64-bit Linux (struct timespec is two 64-bit words).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>Whether this process may give files away (chown): restic and tar restore owners only as root too.</summary>
    public static bool CanSetOwner => OperatingSystem.IsLinux() && GetEuid() == 0;

    /// <summary>The path's type without following a final symlink; <see cref="PathKind.None"/> when nothing is there.</summary>
    public static PathKind KindOf(byte[] path)
    {
        var buffer = new byte[StatxLength];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Enoent or Enotdir ? PathKind.None : throw Failure("read the metadata of", path, errno);
        }

        // struct statx: stx_mode is the u16 at offset 28 (linux/stat.h).
        return (BitConverter.ToUInt16(buffer, 28) & 0xf000) switch
        {
            0x8000 => PathKind.File,
            0x4000 => PathKind.Directory,
            0xa000 => PathKind.Symlink,
            _ => PathKind.Other,
        };
    }

    /// <summary>Creates a folder readable and writable by its owner only (its real mode comes last); false if one exists.</summary>
    public static bool CreateDirectory(byte[] path)
    {
        if (Mkdir(path, 0x1c0) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Eexist && KindOf(path) == PathKind.Directory)
        {
            return false;
        }

        throw Failure("create the folder", path, errno);
    }

    /// <summary>Creates a new file for writing, failing if anything (a symlink included) is at the path.</summary>
    public static SafeFileHandle CreateNewFile(byte[] path)
    {
        var fd = Open(path, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.CloseOnExec | OpenFlags.NoFollow, 0x180);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Failure("create", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// Opens a file this process created (a restore's temporary file whose handle was closed to cap open handles) to
    /// write on; never follows a symlink, never creates.
    /// </summary>
    public static SafeFileHandle OpenForWriting(byte[] path)
    {
        var fd = Open(path, OpenFlags.WriteOnly | OpenFlags.CloseOnExec | OpenFlags.NoFollow, 0);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Failure("open", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>Flushes a written file to stable storage, so a rename after it never exposes a torn file after a crash.</summary>
    public static void Sync(SafeFileHandle file, byte[] path) => Check(Fsync(file), "write", path);

    /// <summary>Opens a folder for <see cref="SyncFileSystem"/> (read-only; the restore target may itself be a symlink to a folder).</summary>
    public static SafeFileHandle OpenDirectory(byte[] path)
    {
        var fd = Open(path, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Failure("open the folder", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// Flushes everything written to the file system holding <paramref name="folder"/> (syncfs(2)): one call makes a
    /// whole group of written files durable, where an fsync per file would pay the disk's flush latency per file.
    /// </summary>
    public static void SyncFileSystem(SafeFileHandle folder, byte[] path) => Check(Syncfs(folder), "flush the file system of", path);

    public static void CreateSymlink(byte[] target, byte[] path) => Check(Symlink(target, path), "create the symlink", path);

    public static void CreateHardLink(byte[] existing, byte[] path) => Check(Link(existing, path), "create the hard link", path);

    /// <summary>
    /// Moves <paramref name="from"/> to <paramref name="to"/> in one step. Without <paramref name="replace"/> an entry that
    /// exists at <paramref name="to"/> is never replaced, even one created after the restore checked: renameat2 with
    /// RENAME_NOREPLACE, or link-then-unlink where the file system lacks it (link fails on an existing name, atomically).
    /// </summary>
    public static void Rename(byte[] from, byte[] to, bool replace)
    {
        if (replace)
        {
            Check(RenameFile(from, to), "rename a temporary file to", to);

            // rename(2) does nothing when both names are already links to one inode; the temporary name must still go.
            RemoveIfPresent(from);
            return;
        }

        if (Renameat2(AtFdCwd, from, AtFdCwd, to, RenameNoReplace) == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is not (Einval or Enosys))
        {
            throw Failure("rename a temporary file to", to, errno);
        }

        Check(Link(from, to), "rename a temporary file to", to);
        Check(Unlink(from), "remove the temporary file", from);
    }

    /// <summary>Removes a file or symlink; nothing there is not an error (cleanup after a failure must not fail again).</summary>
    public static void RemoveIfPresent(byte[] path)
    {
        if (Unlink(path) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Enoent)
        {
            throw Failure("remove", path, errno);
        }
    }

    /// <summary>Sets the permission bits (with setuid, setgid, sticky) of an open file; after any owner change, which clears setuid.</summary>
    public static void SetMode(SafeFileHandle file, byte[] path, uint mode) => Check(Fchmod(file, mode & 0xfff), "set the mode of", path);

    /// <summary>Sets the permission bits of a folder by path (symlinks have none on Linux).</summary>
    public static void SetMode(byte[] path, uint mode) => Check(Chmod(path, mode & 0xfff), "set the mode of", path);

    public static void SetOwner(SafeFileHandle file, byte[] path, uint uid, uint gid) => Check(Fchown(file, uid, gid), "set the owner of", path);

    /// <summary>Sets the owner of a folder or of a symlink itself.</summary>
    public static void SetOwner(byte[] path, uint uid, uint gid) => Check(Lchown(path, uid, gid), "set the owner of", path);

    /// <summary>Sets the modification time to the nanosecond (the access time is left alone); a symlink's own time, not its target's.</summary>
    public static void SetModificationTime(byte[] path, long mtimeNs) =>
        Check(Utimensat(AtFdCwd, path, Times(mtimeNs), AtSymlinkNoFollow), "set the modification time of", path);

    public static void SetModificationTime(SafeFileHandle file, byte[] path, long mtimeNs) =>
        Check(Futimens(file, Times(mtimeNs)), "set the modification time of", path);

    /// <summary>A NUL-terminated path: <paramref name="folder"/> (no terminator), '/', then <paramref name="name"/>.</summary>
    public static byte[] Join(ReadOnlySpan<byte> folder, ReadOnlySpan<byte> name)
    {
        var path = new byte[folder.Length + 1 + name.Length + 1];
        folder.CopyTo(path);
        path[folder.Length] = (byte)'/';
        name.CopyTo(path.AsSpan(folder.Length + 1));
        return path;
    }

    /// <summary>The NUL-terminated bytes of a path .NET holds as a string.</summary>
    public static byte[] PathOf(string path) => Encoding.UTF8.GetBytes(path + "\0");

    /// <summary>The path without its NUL terminator, for joining.</summary>
    public static ReadOnlySpan<byte> Bytes(byte[] path) => path.AsSpan(0, path.Length - 1);

    /// <summary>A path for messages: bytes that are not UTF-8 shown as U+FFFD.</summary>
    public static string Display(byte[] path) => Encoding.UTF8.GetString(Bytes(path));

    // struct timespec[2] as two 64-bit words each on 64-bit Linux: times[0] access (omitted), times[1] modification.
    private static long[] Times(long mtimeNs)
    {
        var seconds = Math.DivRem(mtimeNs, 1_000_000_000L, out var nanoseconds);
        if (nanoseconds < 0)
        {
            seconds--;
            nanoseconds += 1_000_000_000L;
        }

        return [0, UtimeOmit, seconds, nanoseconds];
    }

    private static void Check(int result, string action, byte[] path)
    {
        if (result != 0)
        {
            throw Failure(action, path, Marshal.GetLastPInvokeError());
        }
    }

    private static IOException Failure(string action, byte[] path, int errno) =>
        new($"Cannot {action} '{Display(path)}': {new Win32Exception(errno).Message}.", errno);

    /// <summary>What is at a path, as lstat sees it.</summary>
    public enum PathKind
    {
        None,
        File,
        Directory,
        Symlink,
        Other,
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint GetEuid();

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, byte[] path, int flags, int mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "mkdir", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Mkdir(byte[] path, uint mode);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open(byte[] path, int flags, uint mode);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(SafeFileHandle fd);

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Syncfs(SafeFileHandle fd);

    [DllImport("libc", EntryPoint = "symlink", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Symlink(byte[] target, byte[] path);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Link(byte[] existing, byte[] path);

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int RenameFile(byte[] from, byte[] to);

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Renameat2(int fromDirfd, byte[] from, int toDirfd, byte[] to, uint flags);

    [DllImport("libc", EntryPoint = "unlink", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Unlink(byte[] path);

    [DllImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fchmod(SafeFileHandle fd, uint mode);

    [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Chmod(byte[] path, uint mode);

    [DllImport("libc", EntryPoint = "fchown", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fchown(SafeFileHandle fd, uint uid, uint gid);

    [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Lchown(byte[] path, uint uid, uint gid);

    [DllImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Utimensat(int dirfd, byte[] path, long[] times, int flags);

    [DllImport("libc", EntryPoint = "futimens", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Futimens(SafeFileHandle fd, long[] times);
}

