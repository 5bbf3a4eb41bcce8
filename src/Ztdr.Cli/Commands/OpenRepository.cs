using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Cli.Locations;
using Ztdr.Cli.Passwords;
using Ztdr.Cli.State;
using Ztdr.Cli.Zones;
using BackupRepository = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Cli.Commands;

/// <summary>An existing repository opened for a command: its store, the unlocked repository and its snapshot catalog.</summary>
internal sealed class OpenRepository : IDisposable
{
    /// <summary>Impostor warnings printed at the end of a command; verify lists them all as findings.</summary>
    private const int MaxImpostorWarnings = 5;

    private readonly IObjectStore _opened;
    private readonly CliContext _context;
    private bool _versionsWarned;

    private OpenRepository(IObjectStore store, BackupRepository repository, CliContext context)
    {
        _opened = store;
        _context = context;
        Repository = repository;
        Catalog = new SnapshotCatalog(repository.Store, repository);
        Memory = new RepositoryMemory(context);
    }

    /// <summary>The store as the repository reads it (impostors looked past): every command reads through this one.</summary>
    public IObjectStore Store => Repository.Store;

    /// <summary>What this host remembers of the repository (last key, newest snapshot seen).</summary>
    public RepositoryMemory Memory { get; }

    /// <summary>Set by a command that reported the impostors itself (verify), so they are not warned about again.</summary>
    public bool ImpostorsReported { get; set; }

    public BackupRepository Repository { get; }

    public SnapshotCatalog Catalog { get; }

    /// <summary>
    /// The repository named by <c>--repo</c> or the environment, unlocked with the password from its usual sources.
    /// <paramref name="readOnly"/>: the command only reads, so a zone opens with its <c>readProfile</c> when it has one.
    /// </summary>
    /// <paramref name="ownCache"/>: a folder this run fills from storage and its caller removes, instead of the user's
    /// cache, for a command that must judge storage itself (verify, as restic's check uses a temporary cache).
    public static async Task<OpenRepository> OpenAsync(
        GlobalOptions global, System.CommandLine.ParseResult parse, CliContext context, CancellationToken cancellationToken, bool readOnly = false, string? ownCache = null)
    {
        var options = OpenOptions(global, parse, context) with { CacheRoot = ownCache ?? CacheRoot(global, parse, context) };
        if (Zone(global, parse, context, readOnly) is { } zone)
        {
            var (zoneStore, zoneRepository) = await zone.OpenAsync(context, options, cancellationToken);
            return await RememberedAsync(new OpenRepository(zoneStore, zoneRepository, context));
        }

        var location = RepositoryLocation.Resolve(parse.GetValue(global.Repository), context);
        var password = PasswordSource.Resolve(parse.GetValue(global.PasswordFile), context, confirm: false);
        var store = location.OpenStore(context);
        try
        {
            var repository = await BackupRepository.OpenAsync(store, password, options, context.Time, cancellationToken);
            return await RememberedAsync(new OpenRepository(store, repository, context));
        }
        catch
        {
            (store as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The zone <c>--zone</c> names, with its password file falling back to <c>--password-file</c> (else a prompt):
    /// never the environment's repository password. Null without <c>--zone</c>; <c>--repo</c> as well is refused.
    /// </summary>
    public static ZoneEndpoint? Zone(GlobalOptions global, System.CommandLine.ParseResult parse, CliContext context, bool readOnly = false)
    {
        if (parse.GetValue(global.Zone) is not { } zoneName)
        {
            return null;
        }

        if (parse.GetValue(global.Repository) is not null)
        {
            throw new CliException("give --repo or --zone, not both");
        }

        var named = ZoneConfig.Load(ZoneConfig.PathFor(parse.GetValue(global.Config), context)).Get(zoneName);
        var zone = readOnly ? named.ReadEndpoint : named.Endpoint;
        return zone with { PasswordFile = zone.PasswordFile ?? parse.GetValue(global.PasswordFile) };
    }

    /// <summary>
    /// As <see cref="OpenAsync"/>, then indexes packs an interrupted backup left behind, so this backup deduplicates
    /// against them instead of uploading them again. Only for backup: it writes an index object, which a restore or a
    /// listing must not need (they may run with a read-only key). Packs refused by recovery are reported, one line each.
    /// </summary>
    public static async Task<OpenRepository> OpenForBackupAsync(GlobalOptions global, System.CommandLine.ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        var open = await OpenAsync(global, parse, context, cancellationToken);
        try
        {
            var recovery = await open.Repository.RecoverUnindexedPacksAsync(cancellationToken);
            foreach (var skipped in recovery.Skipped)
            {
                await context.Error.WriteLineAsync($"ztdr: warning: unindexed pack ignored: {skipped}");
            }

            if (recovery.RecoveredPacks.Count > 0)
            {
                await context.Error.WriteLineAsync($"ztdr: reusing {recovery.RecoveredPacks.Count} packs uploaded by an interrupted backup");
            }

            return open;
        }
        catch
        {
            open.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Compares storage with what this host saw: when the newest snapshot it saw committed is neither stored nor marked
    /// forgotten, storage rolled back (or hides it). Returns the missing snapshot and a line saying so, or null; remembers
    /// <paramref name="newest"/> when it is newer than what is remembered. A missing snapshot stays remembered until it
    /// is back, so every later command says so too.
    /// </summary>
    public async Task<(ObjectId Id, string Detail)?> CheckRollbackAsync((ObjectId Id, DateTimeOffset Time)? newest, CancellationToken cancellationToken)
    {
        (ObjectId Id, string Detail)? missing = null;
        if (Memory.Read(Repository.Id)?.NewestSnapshot is { } seen && ObjectId.TryParse(seen.Id, out var seenId))
        {
            var present = false;
            await foreach (var id in Catalog.ListIdsAsync(cancellationToken))
            {
                present |= id == seenId;
            }

            if (!present && !(await Catalog.ForgottenIdsAsync(cancellationToken)).Contains(seenId))
            {
                var detail = $"snapshot {seenId.ToString()[..8]} of {seen.Time}, the newest this host saw committed, is missing from storage: storage was rolled back, or the snapshot is hidden";
                missing = (seenId, detail);
                await _context.Error.WriteLineAsync($"ztdr: warning: {detail}");
            }
        }

        if (newest is { } observed)
        {
            await Memory.RememberSnapshotAsync(Repository.Id, observed.Id, observed.Time);
        }

        return missing;
    }

    /// <summary>
    /// Says on stderr, in a few lines, what impostors storage served (not an error: the command used the authentic
    /// versions, but the owner must learn that a key able to write the bucket leaked). Once per command.
    /// </summary>
    public void WarnImpostors()
    {
        if (Repository.Reader.VersionsUnavailable is { } unavailable && !_versionsWarned)
        {
            _versionsWarned = true;
            _context.Error.WriteLine($"ztdr: warning: {unavailable}");
        }

        if (ImpostorsReported || Repository.Impostors.Count == 0)
        {
            return;
        }

        ImpostorsReported = true;
        var found = Repository.Impostors.Found;
        foreach (var impostor in found.Take(MaxImpostorWarnings))
        {
            _context.Error.WriteLine($"ztdr: warning: impostor in storage: {impostor}");
        }

        var rest = Repository.Impostors.Count - Math.Min(found.Count, MaxImpostorWarnings);
        _context.Error.WriteLine(
            (rest > 0 ? $"ztdr: warning: and {rest} more impostors; " : "ztdr: warning: ")
            + "storage holds objects ztdr did not write: someone holds a key that can write this bucket. 'ztdr verify' names them all.");
    }

    public void Dispose()
    {
        if (!ImpostorsReported)
        {
            WarnImpostors();
        }

        if (Repository.CacheProblem is { } problem)
        {
            _context.Error.WriteLine($"ztdr: warning: {problem}");
        }

        Repository.Dispose();
        (_opened as IDisposable)?.Dispose();
    }

    /// <summary>The key hint (<c>--key-hint</c>, else <c>ZTDR_KEY_HINT</c>), then every key this host opened a repository with.</summary>
    internal static RepositoryOpenOptions OpenOptions(GlobalOptions global, System.CommandLine.ParseResult parse, CliContext context)
    {
        var preferred = new List<ObjectId>();
        if ((parse.GetValue(global.KeyHint) ?? context.Variable(KeyHintVariable)) is { } hint)
        {
            preferred.Add(ObjectId.TryParse(hint.Trim().ToLowerInvariant(), out var id)
                ? id
                : throw new CliException($"--key-hint: '{hint}' is not a key id (64 hex digits; 'ztdr key list --json' shows them)"));
        }

        preferred.AddRange(new RepositoryMemory(context).RememberedKeys());
        return new RepositoryOpenOptions(preferred);
    }

    /// <summary>
    /// The cache folder: <c>--cache-dir</c>, else <c>ZTDR_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/ztdr</c>, else
    /// <c>~/.cache/ztdr</c> (restic's order and layout); null with <c>--no-cache</c> or without any of them.
    /// </summary>
    internal static string? CacheRoot(GlobalOptions global, System.CommandLine.ParseResult parse, CliContext context)
    {
        if (parse.GetValue(global.NoCache))
        {
            return null;
        }

        if ((parse.GetValue(global.CacheDir) ?? context.Variable(CacheDirVariable)) is { } given)
        {
            return Path.GetFullPath(given);
        }

        return context.Variable("XDG_CACHE_HOME") is { } cacheHome
            ? Path.Combine(cacheHome, "ztdr")
            : context.Variable("HOME") is { } home ? Path.Combine(home, ".cache", "ztdr") : null;
    }

    /// <summary>The environment variable for <c>--cache-dir</c>, as restic's RESTIC_CACHE_DIR.</summary>
    public const string CacheDirVariable = "ZTDR_CACHE_DIR";

    /// <summary>The environment variable for <c>--key-hint</c>, as restic's RESTIC_KEY_HINT.</summary>
    public const string KeyHintVariable = "ZTDR_KEY_HINT";

    private static async Task<OpenRepository> RememberedAsync(OpenRepository open)
    {
        if (open.Repository.OpenedWithKey is { } keyId)
        {
            await open.Memory.RememberKeyAsync(open.Repository.Id, keyId);
        }

        return open;
    }
}
