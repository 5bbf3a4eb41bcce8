using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Repository;

/// <content>What the repository knows about each object's retain-until, without asking storage (§ 11).</content>
internal sealed partial class Repository
{
    // Object id → name and the latest retain-until this client knows of. A lower bound of what storage enforces: it
    // is only ever raised by an upload or extension this client made or read a record of, so acting on it can cost an
    // unnecessary extension call but never skips a needed one.
    private readonly Dictionary<ObjectId, TrackedObject> _tracked = [];

    private void RecordInitialRetention(DateTimeOffset retainUntil)
    {
        NoteRetention(Config.Id, RepositoryObjectNames.Config, retainUntil);
        foreach (var keyId in KeyObjects.Keys)
        {
            NoteRetention(keyId, RepositoryObjectNames.Key(keyId), retainUntil);
        }
    }

    private void NoteRetention(ObjectId id, string name, DateTimeOffset retainUntil)
    {
        if (!_tracked.TryGetValue(id, out var known) || known.RetainUntil < retainUntil)
        {
            _tracked[id] = new TrackedObject(name, retainUntil);
        }
    }

    private void RaiseRecordedRetention(ObjectId id, DateTimeOffset retainUntil)
    {
        if (_tracked.TryGetValue(id, out var known) && known.RetainUntil < retainUntil)
        {
            _tracked[id] = known with { RetainUntil = retainUntil };
        }
    }

    /// <summary>The retain-until this client knows for an object, if it tracks it.</summary>
    internal DateTimeOffset? KnownRetainUntil(ObjectId id) => _tracked.TryGetValue(id, out var known) ? known.RetainUntil : null;

    private Task LoadStateAsync(CancellationToken cancellationToken)
    {
        // Config and key objects were uploaded locked until gen(created + retention) of the run that wrote them.
        NoteRetention(Config.Id, RepositoryObjectNames.Config, Config.Lock.RetainUntilForRunAt(Config.Created));
        foreach (var (keyId, key) in KeyObjects)
        {
            NoteRetention(keyId, RepositoryObjectNames.Key(keyId), Config.Lock.RetainUntilForRunAt(key.Created));
        }

        _ = cancellationToken;
        return Task.CompletedTask;
    }

    private readonly record struct TrackedObject(string Name, DateTimeOffset RetainUntil);
}
