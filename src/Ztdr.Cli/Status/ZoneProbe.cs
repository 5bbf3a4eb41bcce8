using Ztdr.Backup.Copying;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Verifying;
using Ztdr.Cli.Commands;
using Ztdr.Cli.Locations;
using BackupRepository = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Cli.Status;

/// <summary>
/// Reads what <c>ztdr status</c> reports of one zone with that zone's own key: its snapshots, the newest one's lock,
/// and the last verification. Cheap on purpose — a monitoring check runs it often: one listing and one read per
/// snapshot, a handful of retention reads, and the verification records; no tree is walked and no pack is read.
/// </summary>
/// <remarks>
/// Lock coverage is checked on the newest snapshot's own object, the config and the key objects, the objects every
/// restore needs, against what storage reports. Its packs are not read one by one: backup commits a snapshot only
/// after every pack it references is locked at least as long (repository-format.md § 11), and <c>verify</c> checks
/// every pack against storage; status answers "is this zone's storage keeping its newest backup under COMPLIANCE",
/// which the snapshot object's own lock decides, and leaves the full proof to verify.
/// </remarks>
internal static class ZoneProbe
{
    /// <summary>
    /// Opens the zone with <paramref name="open"/> and reads its status. A failure ztdr knows (unreachable, access
    /// denied, wrong password, damaged data, a bad setting) becomes <see cref="ZoneStatus.Error"/>.
    /// </summary>
    public static async Task<ZoneStatus> ReadAsync(
        ZoneStatus zone,
        Func<Task<(IObjectStore Store, BackupRepository Repository)>> open,
        CliContext context,
        CancellationToken cancellationToken)
    {
        IObjectStore? store = null;
        BackupRepository? repository = null;
        try
        {
            (store, repository) = await open();
            return await ReadAsync(zone, store, repository, context, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && CommandErrors.Translate(e) is { } known)
        {
            return zone with { Error = known.Message };
        }
        finally
        {
            repository?.Dispose();
            (store as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// The medium "2 media" counts for a repository location (see <see cref="ZoneStatus"/>): the endpoint's address and
    /// port, so that two spellings of one server (<c>localhost</c> and <c>127.0.0.1</c>) are one medium. A host name that
    /// does not resolve stays as written; its zone will be unreadable anyway.
    /// </summary>
    public static string MediumOf(RepositoryLocation location) => location switch
    {
        S3Location s3 => $"{AddressOf(s3.Endpoint.IdnHost)}:{s3.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        _ => "local",
    };

    private static string AddressOf(string host)
    {
        if (System.Net.IPAddress.TryParse(host, out var literal))
        {
            return Format(literal);
        }

        try
        {
            // The lowest address identifies the server: localhost gives ::1 and 127.0.0.1, which must match "127.0.0.1".
            var addresses = System.Net.Dns.GetHostAddresses(host);
            return addresses.Length == 0 ? host.ToLowerInvariant() : addresses.Select(Format).Min(StringComparer.Ordinal)!;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return host.ToLowerInvariant();
        }
    }

    /// <summary>IPv4 as dotted quad (also when mapped into IPv6), IPv6 in brackets as in a URL; loopback is one address.</summary>
    private static string Format(System.Net.IPAddress address) =>
        System.Net.IPAddress.IsLoopback(address) ? "127.0.0.1"
        : address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString()
        : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]"
        : address.ToString();

    private static async Task<ZoneStatus> ReadAsync(ZoneStatus zone, IObjectStore store, BackupRepository repository, CliContext context, CancellationToken cancellationToken)
    {
        var catalog = new SnapshotCatalog(store, repository);
        var snapshots = await catalog.ListAsync(cancellationToken);
        var origins = snapshots.ToDictionary(s => s.Id, s => Copier.SourceOf(s.Snapshot));

        NewestSnapshot? newest = null;
        LockStatus? lockStatus = null;
        if (snapshots.Count > 0)
        {
            var (id, snapshot) = snapshots.MaxBy(s => s.Snapshot.Time);
            newest = new NewestSnapshot(id, snapshot.Time, snapshot.Hostname, snapshot.RetainUntil);
            lockStatus = await LockOfAsync(store, repository, id, snapshot.RetainUntil, cancellationToken);
        }

        var inRepository = await new VerificationLog(store, repository).LatestAsync(cancellationToken);
        var onHost = await LocalVerificationState.ReadAsync(repository.Id, context, cancellationToken);
        var (last, recordedIn) = (inRepository, onHost) switch
        {
            (null, null) => ((VerificationRecord?)null, (string?)null),
            ({ } r, null) => (r, "repository"),
            (null, { } h) => (h, "host"),
            ({ } r, { } h) => h.Time > r.Time ? (h, "host") : (r, "repository"),
        };

        return zone with
        {
            RepositoryId = repository.Id.ToString(),
            SnapshotCount = snapshots.Count,
            Newest = newest,
            Lock = lockStatus,
            LastVerification = last,
            VerificationRecordedIn = recordedIn,
            Origins = origins,
        };
    }

    private static async Task<LockStatus> LockOfAsync(IObjectStore store, BackupRepository repository, ObjectId snapshot, DateTimeOffset required, CancellationToken cancellationToken)
    {
        if (!store.Capabilities.Immutable)
        {
            return LockStatus.NotImmutable;
        }

        string[] names = [SnapshotCatalog.Name(snapshot), RepositoryObjectNames.Config, .. repository.KeyObjects.Keys.Select(RepositoryObjectNames.Key)];
        var retentions = await Task.WhenAll(names.Select(name => store.GetRetentionAsync(name, cancellationToken)));
        return LockStatus.From(retentions, required);
    }
}
