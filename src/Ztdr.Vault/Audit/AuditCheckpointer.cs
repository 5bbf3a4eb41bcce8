namespace Ztdr.Vault.Audit;

/// <summary>When a serving vault signs its chain head: every <see cref="EveryRecords"/> records or every <see cref="Every"/>, whichever comes first.</summary>
public sealed record CheckpointPolicy
{
    public long EveryRecords { get; init; } = 10_000;

    public TimeSpan Every { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Signs the audit chain's durable head as a checkpoint and hands it to every sink: when the policy says so (the vault
/// asks on its timer), at start when the head moved since the last checkpoint (a crash skipped the one at shutdown),
/// and at shutdown. A head already checkpointed is not signed again, so an idle vault adds nothing.
/// </summary>
public sealed class AuditCheckpointer
{
    private readonly Func<(long Sequence, string Hash)> _head;
    private readonly CheckpointKey _key;
    private readonly IReadOnlyList<ICheckpointSink> _sinks;
    private readonly CheckpointPolicy _policy;
    private readonly Action<ICheckpointSink, Exception> _sinkFailed;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AuditCheckpoint? _last;

    public AuditCheckpointer(
        Func<(long Sequence, string Hash)> head,
        CheckpointKey key,
        IReadOnlyList<ICheckpointSink> sinks,
        CheckpointPolicy policy,
        AuditCheckpoint? last,
        Action<ICheckpointSink, Exception> sinkFailed)
    {
        _head = head;
        _key = key;
        _sinks = sinks;
        _policy = policy;
        _last = last;
        _sinkFailed = sinkFailed;
    }

    public AuditCheckpoint? Last => Volatile.Read(ref _last);

    /// <summary>Checkpoints if the head has moved and enough records or enough time have passed since the last checkpoint.</summary>
    public Task<AuditCheckpoint?> TickAsync(DateTimeOffset trustedNow, CancellationToken cancellationToken = default)
    {
        var (sequence, _) = _head();
        var last = Last;
        var due = last is null
            || sequence - last.Sequence >= _policy.EveryRecords
            || trustedNow - last.Time >= _policy.Every
            || trustedNow < last.Time;
        return due ? CheckpointAsync(trustedNow, cancellationToken) : Task.FromResult<AuditCheckpoint?>(null);
    }

    /// <summary>Signs the head now unless it is empty or already checkpointed; returns the new checkpoint, if any.</summary>
    public async Task<AuditCheckpoint?> CheckpointAsync(DateTimeOffset trustedNow, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (sequence, hash) = _head();
            if (sequence == 0 || (_last is { } last && last.Sequence == sequence && last.Hash == hash))
            {
                return null;
            }

            var checkpoint = _key.Sign(sequence, hash, trustedNow);
            foreach (var sink in _sinks)
            {
                try
                {
                    await sink.PublishAsync(checkpoint, cancellationToken);
                }
                catch (IOException e)
                {
                    // One sink down (a full disk) must not keep the checkpoint from the others, which may be off the host.
                    _sinkFailed(sink, e);
                }
            }

            Volatile.Write(ref _last, checkpoint);
            return checkpoint;
        }
        finally
        {
            _gate.Release();
        }
    }
}
