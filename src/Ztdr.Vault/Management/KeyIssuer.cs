using Ztdr.Vault.Identity;

namespace Ztdr.Vault.Management;

/// <summary>
/// <c>keys create</c>: asks the vault for a key and appends it to a credentials file as a new profile, so the secret
/// goes from the vault to a 0600 file and nowhere else. Everything that could make the append fail is checked
/// before the vault is asked, and a key whose append still fails is revoked again, so no orphan key is left behind.
/// </summary>
public static class KeyIssuer
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Issues the key; returns it without its secret.</summary>
    /// <exception cref="InvalidOperationException">The profile exists, the file is shared, or the vault refused.</exception>
    public static async Task<KeyInfo> IssueAsync(ManagementClient vault, CreateKeyRequest request, string credentialsFile, string profile, CancellationToken cancellationToken)
    {
        // Fails here on a bad profile name, before any key exists.
        CheckWritable(credentialsFile, profile);
        var created = await vault.CreateKeyAsync(request with { ProfileName = profile }, cancellationToken);
        try
        {
            CredentialsFile.Append(credentialsFile, new CredentialsFileEntry(profile, created.AccessKeyId, created.SecretAccessKey));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            // The secret exists nowhere but in this process now: a key nobody holds must not stay valid (or pending).
            if (created.ApprovalId is { } approvalId)
            {
                await vault.RejectAsync(approvalId, CancellationToken.None);
                throw new InvalidOperationException($"the new key could not be written to '{credentialsFile}' and its approval {approvalId} was rejected: {e.Message}", e);
            }

            await vault.RevokeKeyAsync(created.AccessKeyId, CancellationToken.None);
            throw new InvalidOperationException($"the new key could not be written to '{credentialsFile}' and was revoked again: {e.Message}", e);
        }

        return new KeyInfo(created.AccessKeyId, created.Roles, created.Buckets, created.Created, null) { ApprovalId = created.ApprovalId };
    }

    private static void CheckWritable(string path, string profile)
    {
        if (string.IsNullOrEmpty(profile) || profile.Trim().Length != profile.Length
            || profile.Any(c => char.IsControl(c) || c is '[' or ']'))
        {
            throw new ArgumentException($"profile name '{profile}' cannot be written: use a non-empty name without brackets, control characters or surrounding spaces");
        }

        // A link or another user's file is refused before any key exists (Append refuses them again on the file it opens).
        CredentialsFile.RefuseUnsafeTarget(path);
        if (!File.Exists(path))
        {
            if (!Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(path))))
            {
                throw new IOException($"the folder of '{path}' does not exist; no key was created");
            }

            return;
        }

        if ((File.GetUnixFileMode(path) & GroupOrOthers) != 0)
        {
            throw new InvalidOperationException($"'{path}' can be read or written by other users; no key was created. Restrict it first (chmod 600 '{path}') and consider rotating the keys it already holds");
        }

        // Every [header] counts, as in CredentialsFile.Append, even a profile without keys in it.
        if (File.ReadLines(path).Select(l => l.Trim()).Any(l => l.Length >= 2 && l[0] == '[' && l[^1] == ']' && l[1..^1].Trim() == profile))
        {
            throw new InvalidOperationException($"profile [{profile}] already exists in '{path}'; no key was created and the file is unchanged. Choose another --profile-name");
        }
    }
}
