using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ztdr.Vault.Storage;

/// <summary>
/// Writes small files (keys, certificates) so that a reader sees either the old content or the
/// complete new content, never a torn file, and so that a file holding a secret is never readable
/// by anyone else, not even for the moment between creation and chmod.
/// </summary>
internal static class DurableFile
{
    /// <summary>
    /// Writes <paramref name="content"/> to a temporary file in the target's folder, created with
    /// <paramref name="mode"/> before any byte is written, flushes it to disk, renames it over
    /// <paramref name="path"/> and flushes the folder so the rename itself survives power loss.
    /// </summary>
    /// <exception cref="IOException">The target exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool overwrite)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, CreateNewOptions(mode)))
            {
                if (!OperatingSystem.IsWindows())
                {
                    // UnixCreateMode is filtered by the umask; set the exact mode while the file is still empty.
                    File.SetUnixFileMode(stream.SafeFileHandle, mode);
                }

                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (!overwrite && File.Exists(fullPath))
            {
                throw new IOException($"Refusing to overwrite '{fullPath}': it already exists.");
            }

            // The check gives the clear message; File.Move without overwrite refuses an existing target as well.
            File.Move(temporary, fullPath, overwrite);
        }
        finally
        {
            // Only still present when something above failed; the real file is never touched here.
            File.Delete(temporary);
        }

        FlushDirectory(directory);
    }

    /// <summary>
    /// Deletes the temporary files <see cref="Write"/> leaves in <paramref name="directory"/> when the power goes between
    /// creating one and renaming it (issue 12's power-loss suite found them piling up in audit/): never acknowledged,
    /// so never needed. Only for the one process owning the folder, before it writes there.
    /// </summary>
    public static void DeleteLeftovers(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        var deleted = false;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles(".*.tmp"))
        {
            if (IsTemporaryName(file.Name))
            {
                file.Delete();
                deleted = true;
            }
        }

        if (deleted)
        {
            FlushDirectory(directory);
        }
    }

    /// <summary><c>.NAME.XXXXXXXXXXXXXXXX.tmp</c>, sixteen lowercase hex digits: the names <see cref="Write"/> gives.</summary>
    internal static bool IsTemporaryName(string name)
    {
        const int Suffix = 1 + 16 + 4;
        if (name.Length <= 1 + Suffix || name[0] != '.' || !name.EndsWith(".tmp", StringComparison.Ordinal))
        {
            return false;
        }

        var random = name.AsSpan(name.Length - Suffix, Suffix);
        return random[0] == '.' && random[1..17].ToString().All(char.IsAsciiHexDigitLower);
    }

    /// <summary>Opens a new file for writing whose permissions are <paramref name="mode"/> from its creation.</summary>
    public static FileStreamOptions CreateNewOptions(UnixFileMode mode) => CreateOptions(FileMode.CreateNew, FileAccess.Write, mode);

    public static FileStreamOptions CreateOptions(FileMode fileMode, FileAccess access, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = fileMode, Access = access, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        return options;
    }

    /// <summary>
    /// fsyncs a folder so that a file created or renamed in it is still there after power loss.
    /// .NET cannot open a folder as a file, hence the direct libc calls. A no-op on Windows, where
    /// NTFS journals the rename.
    /// </summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = NativeMethods.Open(directory, 0 /* O_RDONLY */);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open folder '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.Fsync(descriptor) != 0)
            {
                throw new IOException($"Cannot flush folder '{directory}' to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = NativeMethods.Close(descriptor);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Fsync(int descriptor);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int descriptor);
    }
}
