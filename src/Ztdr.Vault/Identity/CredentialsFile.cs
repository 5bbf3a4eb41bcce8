using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Identity;

/// <summary>
/// Writes and reads AWS shared-credentials files (<c>~/.aws/credentials</c> format), so that
/// <c>ztdr-vault</c> can hand a new key to the aws CLI, the SDKs, rclone or ztdr without the
/// secret ever passing through a terminal or a world-readable file.
/// </summary>
public static class CredentialsFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const string AccessKeyIdSetting = "aws_access_key_id";
    private const string SecretAccessKeySetting = "aws_secret_access_key";

    /// <summary>
    /// Appends <paramref name="entry"/> as a new profile, creating the file with mode 0600 if it
    /// does not exist. Existing content is kept byte for byte; the write is flushed to disk.
    /// </summary>
    /// <exception cref="ArgumentException">A value is empty or would break the file's syntax.</exception>
    /// <exception cref="InvalidOperationException">
    /// The profile already exists, or the existing file is readable by other users.
    /// </exception>
    /// <exception cref="IOException">Another process is appending to the same file right now.</exception>
    public static void Append(string path, CredentialsFileEntry entry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(entry);
        Validate(entry);

        var created = !File.Exists(path);

        // Created 0600 from its first moment, never world-readable in between; never through a symbolic link (the
        // last path component is opened with O_NOFOLLOW, so a link swapped in after any check is refused too); and
        // locked exclusively, so two appends cannot interleave.
        using (var stream = OpenForAppend(path))
        {
            RefuseIfSharedWithOthers(path, stream);

            var existing = ReadToEnd(stream);
            if (ReadProfileNames(existing).Contains(entry.Profile, StringComparer.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Profile [{entry.Profile}] already exists in '{path}'; it was left unchanged. " +
                    "Choose another profile name, or remove the old profile from the file first.");
            }

            var text = new StringBuilder();
            if (existing.Length > 0)
            {
                // A blank line between profiles; and a file that does not end in a newline gets one, so our
                // header cannot be glued onto its last line.
                text.Append(existing.EndsWith('\n') ? "\n" : "\n\n");
            }

            text.Append('[').Append(entry.Profile).Append("]\n")
                .Append(AccessKeyIdSetting).Append(" = ").Append(entry.AccessKeyId).Append('\n')
                .Append(SecretAccessKeySetting).Append(" = ").Append(entry.SecretAccessKey).Append('\n');

            stream.Seek(0, SeekOrigin.End);
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }

        if (created)
        {
            // The new directory entry must reach the disk too, or power loss can lose the whole file.
            DurableFile.FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    /// <summary>
    /// The profiles that have both an access key id and a secret, in file order. Other settings
    /// (region, session tokens) and comments are ignored.
    /// </summary>
    public static IReadOnlyList<CredentialsFileEntry> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var entries = new List<CredentialsFileEntry>();
        string? profile = null;
        string? accessKeyId = null;
        string? secret = null;

        void Flush()
        {
            if (profile is not null && accessKeyId is not null && secret is not null)
            {
                entries.Add(new CredentialsFileEntry(profile, accessKeyId, secret));
            }
        }

        foreach (var line in File.ReadLines(path))
        {
            if (TryParseHeader(line, out var name))
            {
                Flush();
                (profile, accessKeyId, secret) = (name, null, null);
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (profile is null || equals < 0 || IsComment(line))
            {
                continue;
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (key.Equals(AccessKeyIdSetting, StringComparison.OrdinalIgnoreCase))
            {
                accessKeyId = value;
            }
            else if (key.Equals(SecretAccessKeySetting, StringComparison.OrdinalIgnoreCase))
            {
                secret = value;
            }
        }

        Flush();
        return entries;
    }

    private static void Validate(CredentialsFileEntry entry)
    {
        // Each value lands on one line of an INI file: a newline or bracket in it could smuggle in
        // another profile, and surrounding whitespace would be lost when the file is read back.
        if (string.IsNullOrEmpty(entry.Profile)
            || entry.Profile.Trim().Length != entry.Profile.Length
            || entry.Profile.Any(c => char.IsControl(c) || c is '[' or ']'))
        {
            throw new ArgumentException(
                $"Profile name '{entry.Profile}' cannot be written: use a non-empty name without brackets, control characters or surrounding spaces.",
                nameof(entry));
        }

        foreach (var (setting, value) in new[] { (AccessKeyIdSetting, entry.AccessKeyId), (SecretAccessKeySetting, entry.SecretAccessKey) })
        {
            if (string.IsNullOrEmpty(value) || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                throw new ArgumentException($"The {setting} of profile [{entry.Profile}] is empty or contains whitespace.", nameof(entry));
            }
        }
    }

    /// <summary>
    /// Refuses, before anything is created anywhere, a path that is a symbolic link or a file owned by another user.
    /// A check only: <see cref="Append"/> repeats both on the file it actually opens.
    /// </summary>
    /// <exception cref="InvalidOperationException">The path is a link or another user's file.</exception>
    internal static void RefuseUnsafeTarget(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw SymbolicLink(path);
        }

        if (info.Exists && NativeMethods.OwnerOf(path) is var owner && owner != NativeMethods.GetEffectiveUserId())
        {
            throw ForeignOwner(path, owner);
        }
    }

    private static FileStream OpenForAppend(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, DurableFile.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, OwnerOnly));
        }

        var descriptor = NativeMethods.Open(path, NativeMethods.ReadWrite | NativeMethods.Create | NativeMethods.NoFollow | NativeMethods.CloseOnExec, (int)OwnerOnly);
        if (descriptor < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == NativeMethods.Eloop
                ? SymbolicLink(path)
                : new IOException($"Cannot open '{path}' (errno {errno}); no secret was written.");
        }

        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        try
        {
            if (NativeMethods.Flock(descriptor, NativeMethods.LockExclusive | NativeMethods.LockNonBlocking) != 0)
            {
                throw new IOException($"'{path}' is being written by another process right now; no secret was written. Try again.");
            }

            var owner = NativeMethods.OwnerOf(handle);
            if (owner != NativeMethods.GetEffectiveUserId())
            {
                // Root may write into anyone's file, and the owner would then read the secret (and could chmod it open).
                throw ForeignOwner(path, owner);
            }

            return new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static InvalidOperationException SymbolicLink(string path) =>
        new($"'{path}' is a symbolic link; no secret was written. Name the credentials file itself, not a link to it: a link planted there could send the secret anywhere.");

    private static InvalidOperationException ForeignOwner(string path, uint owner) =>
        new($"'{path}' is owned by another user (uid {owner}); no secret was written. Use a file of your own: its owner could read the secret.");

    private static void RefuseIfSharedWithOthers(string path, FileStream stream)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(stream.SafeFileHandle);
        if ((mode & GroupOrOthers) != 0)
        {
            // Appending a secret to a file others can read would hand it to them; changing the mode
            // behind the owner's back would hide that the older secrets in it were exposed.
            throw new InvalidOperationException(
                $"'{path}' can be read or written by other users (mode {Convert.ToString((int)mode, 8)}); no secret was written. " +
                $"Restrict it first (chmod 600 '{path}') and consider rotating the keys it already holds.");
        }
    }

    private static string ReadToEnd(FileStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
        return reader.ReadToEnd();
    }

    private static IEnumerable<string> ReadProfileNames(string content)
    {
        foreach (var line in content.Split('\n'))
        {
            if (TryParseHeader(line, out var name))
            {
                yield return name;
            }
        }
    }

    private static bool TryParseHeader(string line, out string name)
    {
        var trimmed = line.Trim();
        if (trimmed.Length >= 2 && trimmed[0] == '[' && trimmed[^1] == ']')
        {
            name = trimmed[1..^1].Trim();
            return true;
        }

        name = string.Empty;
        return false;
    }

    private static bool IsComment(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith('#') || trimmed.StartsWith(';');
    }

    /// <summary>Linux system calls .NET does not expose: open without following a link, flock, and a file's owner.</summary>
    private static class NativeMethods
    {
        public const int ReadWrite = 0x2;
        public const int Create = 0x40;
        public const int CloseOnExec = 0x80000;
        public const int LockExclusive = 2;
        public const int LockNonBlocking = 4;
        public const int Eloop = 40;

        /// <summary>O_NOFOLLOW: asm-generic (x86-64) and arm/arm64 differ.</summary>
        public static readonly int NoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;

        private const int AtFdCwd = -100;
        private const int AtEmptyPath = 0x1000;
        private const int AtSymlinkNoFollow = 0x100;
        private const uint StatxUid = 0x8;

        /// <summary>stx_uid's offset in struct statx, the same on every Linux architecture.</summary>
        private const int StatxUidOffset = 20;

        public static uint OwnerOf(SafeFileHandle handle)
        {
            var buffer = new byte[256];
            return Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxUid, buffer) == 0
                ? BitConverter.ToUInt32(buffer, StatxUidOffset)
                : throw new IOException($"Cannot read the owner of an open file (errno {Marshal.GetLastPInvokeError()}).");
        }

        public static uint OwnerOf(string path)
        {
            var buffer = new byte[256];
            return Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid, buffer) == 0
                ? BitConverter.ToUInt32(buffer, StatxUidOffset)
                : throw new IOException($"Cannot read the owner of '{path}' (errno {Marshal.GetLastPInvokeError()}).");
        }

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

        [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Flock(int descriptor, int operation);

        [DllImport("libc", EntryPoint = "geteuid")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint GetEffectiveUserId();

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    }
}
