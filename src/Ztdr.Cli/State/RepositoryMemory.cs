using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ztdr.Backup.Crypto;

namespace Ztdr.Cli.State;

/// <summary>
/// What this host remembers of each repository it opened, so storage cannot lie about the past unnoticed:
/// <c>$XDG_STATE_HOME/ztdr/repositories/&lt;repository id&gt;.json</c> (else <c>~/.local/state/ztdr/…</c>) holds the key
/// object that opened it last (tried first next time, so planted key objects cost nothing) and the newest snapshot seen
/// committed (a rollback is that snapshot gone from storage). Ids and a time, nothing secret, so not encrypted; written
/// atomically. Version 1:
/// <c>{"version":1,"keyId":"&lt;64 hex&gt;","newestSnapshot":{"id":"&lt;64 hex&gt;","time":"&lt;UTC&gt;"}}</c>.
/// </summary>
internal sealed class RepositoryMemory(CliContext context)
{
    public const int FormatVersion = 1;

    /// <summary>State files read when collecting remembered keys: a host opens a handful of repositories.</summary>
    private const int MaxFiles = 256;

    /// <summary>The folder, or null when neither XDG_STATE_HOME nor HOME is set (then nothing is remembered).</summary>
    public string? Folder => (context.Variable("XDG_STATE_HOME") ?? (context.Variable("HOME") is { } home ? Path.Combine(home, ".local", "state") : null)) is { } stateHome
        ? Path.Combine(stateHome, "ztdr", "repositories")
        : null;

    /// <summary>Every key id this host remembers opening any repository with (ids are random: one of another repository is simply absent).</summary>
    public IReadOnlyList<ObjectId> RememberedKeys()
    {
        if (Folder is not { } folder || !Directory.Exists(folder))
        {
            return [];
        }

        var keys = new List<ObjectId>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Take(MaxFiles))
        {
            if (TryRead(file) is { KeyId: { } text } && ObjectId.TryParse(text, out var id))
            {
                keys.Add(id);
            }
        }

        return keys;
    }

    /// <summary>What is remembered of <paramref name="repository"/>, or null.</summary>
    public RememberedRepository? Read(ObjectId repository) => PathFor(repository) is { } path ? TryRead(path) : null;

    /// <summary>Remembers the key that opened <paramref name="repository"/>.</summary>
    public Task RememberKeyAsync(ObjectId repository, ObjectId keyId) =>
        UpdateAsync(repository, r => r.KeyId == keyId.ToString() ? null : r with { KeyId = keyId.ToString() });

    /// <summary>Remembers <paramref name="snapshot"/> as the newest seen, unless a newer one is remembered already.</summary>
    public Task RememberSnapshotAsync(ObjectId repository, ObjectId snapshot, DateTimeOffset time) =>
        UpdateAsync(repository, r => r.NewestSnapshot is { } known && known.TimeValue >= time
            ? null
            : r with { NewestSnapshot = new RememberedSnapshot(snapshot.ToString(), time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture)) });

    private async Task UpdateAsync(ObjectId repository, Func<RememberedRepository, RememberedRepository?> change)
    {
        if (PathFor(repository) is not { } path)
        {
            return;
        }

        var updated = change(TryRead(path) ?? new RememberedRepository { Version = FormatVersion });
        if (updated is null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
            await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(updated, RepositoryMemoryJsonContext.Default.RememberedRepository));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Memory is a defence, not a requirement: the command goes on, and the user learns what is not protected.
            await context.Error.WriteLineAsync($"ztdr: warning: cannot remember this repository's state in {path} ({e.Message}); a rollback of storage would go unnoticed");
        }
    }

    private string? PathFor(ObjectId repository) => Folder is { } folder ? Path.Combine(folder, repository + ".json") : null;

    private static RememberedRepository? TryRead(string path)
    {
        try
        {
            var read = JsonSerializer.Deserialize(File.ReadAllBytes(path), RepositoryMemoryJsonContext.Default.RememberedRepository);
            return read is { Version: FormatVersion } ? read : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}

internal sealed record RememberedRepository
{
    public int Version { get; init; }

    public string? KeyId { get; init; }

    public RememberedSnapshot? NewestSnapshot { get; init; }
}

internal sealed record RememberedSnapshot(string Id, string Time)
{
    [JsonIgnore]
    public DateTimeOffset TimeValue => DateTimeOffset.TryParse(Time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : DateTimeOffset.MinValue;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RememberedRepository))]
internal sealed partial class RepositoryMemoryJsonContext : JsonSerializerContext
{
}
