using Ztdr.Backup.Crypto;
using Ztdr.Backup.Verifying;

namespace Ztdr.Cli.Status;

/// <summary>
/// Where a verify run keeps its record when its key cannot write to the repository (a reader key on the vault):
/// <c>$XDG_STATE_HOME/ztdr/verifications/&lt;repository id&gt;.json</c>, else <c>~/.local/state/ztdr/…</c>, holding the
/// newest record as the JSON of repository-format.md § 9.5. Only this host's <c>ztdr status</c> sees it, which is why
/// the repository is tried first; the file holds counts and a time, nothing secret, so it is not encrypted.
/// </summary>
internal static class LocalVerificationState
{
    /// <summary>The state file for <paramref name="repository"/>, or null when neither XDG_STATE_HOME nor HOME is set.</summary>
    public static string? PathFor(ObjectId repository, CliContext context)
    {
        var stateHome = context.Variable("XDG_STATE_HOME")
            ?? (context.Variable("HOME") is { } home ? Path.Combine(home, ".local", "state") : null);
        return stateHome is null ? null : Path.Combine(stateHome, "ztdr", "verifications", repository + ".json");
    }

    /// <summary>Replaces the file atomically (temporary file, then rename), so a reader never sees half a record.</summary>
    public static async Task WriteAsync(string path, VerificationRecord record, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        await File.WriteAllBytesAsync(temporary, record.Serialize(), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The record kept for <paramref name="repository"/> on this host, or null when there is none.</summary>
    public static async Task<VerificationRecord?> ReadAsync(ObjectId repository, CliContext context, CancellationToken cancellationToken)
    {
        if (PathFor(repository, context) is not { } path || !File.Exists(path))
        {
            return null;
        }

        try
        {
            return VerificationRecord.Parse(await File.ReadAllBytesAsync(path, cancellationToken));
        }
        catch (Backup.RepositoryFormatException e)
        {
            throw new CliException($"verification state file {path}: {e.Message}");
        }
    }
}
