using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Cli.Locations;
using Ztdr.Cli.Passwords;
using Ztdr.Cli.Zones;
using BackupRepository = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Cli.Commands;

/// <summary>An existing repository opened for a command: its store, the unlocked repository and its snapshot catalog.</summary>
internal sealed class OpenRepository : IDisposable
{
    private OpenRepository(IObjectStore store, BackupRepository repository)
    {
        Store = store;
        Repository = repository;
        Catalog = new SnapshotCatalog(store, repository);
    }

    public IObjectStore Store { get; }

    public BackupRepository Repository { get; }

    public SnapshotCatalog Catalog { get; }

    /// <summary>The repository named by <c>--repo</c> or the environment, unlocked with the password from its usual sources.</summary>
    public static async Task<OpenRepository> OpenAsync(GlobalOptions global, System.CommandLine.ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        if (Zone(global, parse, context) is { } zone)
        {
            var (zoneStore, zoneRepository) = await zone.OpenAsync(context, cancellationToken);
            return new OpenRepository(zoneStore, zoneRepository);
        }

        var location = RepositoryLocation.Resolve(parse.GetValue(global.Repository), context);
        var password = PasswordSource.Resolve(parse.GetValue(global.PasswordFile), context, confirm: false);
        var store = location.OpenStore(context);
        try
        {
            var repository = await BackupRepository.OpenAsync(store, password, context.Time, cancellationToken);
            return new OpenRepository(store, repository);
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
    public static ZoneEndpoint? Zone(GlobalOptions global, System.CommandLine.ParseResult parse, CliContext context)
    {
        if (parse.GetValue(global.Zone) is not { } zoneName)
        {
            return null;
        }

        if (parse.GetValue(global.Repository) is not null)
        {
            throw new CliException("give --repo or --zone, not both");
        }

        var zone = ZoneConfig.Load(ZoneConfig.PathFor(parse.GetValue(global.Config), context)).Get(zoneName).Endpoint;
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

    public void Dispose()
    {
        Repository.Dispose();
        (Store as IDisposable)?.Dispose();
    }
}
