using System.Text;
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

        // OpenOrCreate with UnixCreateMode: a new file is 0600 from its first moment, never world-readable
        // in between. FileShare.None also takes an exclusive lock, so two appends cannot interleave.
        using (var stream = new FileStream(path, DurableFile.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, OwnerOnly)))
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
}
