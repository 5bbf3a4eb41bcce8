using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;

namespace Ztdr.Backup.Tests.Snapshots;

/// <summary>A store whose retention extensions fail: what a vault that refuses the extension looks like to the engine.</summary>
internal sealed class FailingExtendStore(IObjectStore inner) : ForwardingStore(inner)
{
    public override Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        throw new ObjectStoreException(StoreErrorKind.AccessDenied, $"Extending the retention of {name} was refused.");

    public override Task ExtendVersionRetentionAsync(string name, string? versionId, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        ExtendRetentionAsync(name, retainUntil, cancellationToken);
}
