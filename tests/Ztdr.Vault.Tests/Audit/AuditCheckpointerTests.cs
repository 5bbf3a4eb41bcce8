using Ztdr.Vault.Audit;

namespace Ztdr.Vault.Tests.Audit;

/// <summary>When the serving vault signs its head: every N records or every hour, whichever first; never the same head twice.</summary>
public sealed class AuditCheckpointerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("ztdr-checkpointer-").FullName;
    private readonly CheckpointKey _key;
    private readonly List<AuditCheckpoint> _published = [];
    private (long Sequence, string Hash) _head = (0, AuditRecordFormat.GenesisHash);

    public AuditCheckpointerTests()
    {
        _key = CheckpointKey.LoadOrCreate(_folder, out _);
    }

    [Fact]
    public async Task Checkpoint_EmptyChainOrSameHead_SignsNothing()
    {
        var checkpointer = Create();

        Assert.Null(await checkpointer.CheckpointAsync(Start));
        Move(5);
        Assert.NotNull(await checkpointer.CheckpointAsync(Start));
        Assert.Null(await checkpointer.CheckpointAsync(Start.AddHours(2)));
        Assert.Single(_published);
    }

    [Fact]
    public async Task Tick_BelowBothThresholds_SignsNothingUntilRecordsOrTimeCallForIt()
    {
        var checkpointer = Create();
        Move(1);
        await checkpointer.CheckpointAsync(Start);

        Move(99);
        Assert.Null(await checkpointer.TickAsync(Start.AddMinutes(59)));
        Move(1);
        var byCount = await checkpointer.TickAsync(Start.AddMinutes(59));
        Move(1);
        var byTime = await checkpointer.TickAsync(Start.AddMinutes(59) + TimeSpan.FromHours(1));

        Assert.Equal(101, byCount!.Sequence);
        Assert.Equal(102, byTime!.Sequence);
        Assert.Equal([1L, 101L, 102L], _published.Select(c => c.Sequence));
        using var publicKey = CheckpointKey.ReadPublicKey(CheckpointKey.PublicKeyPath(_folder));
        Assert.All(_published, c => Assert.True(c.VerifiedBy(publicKey)));
    }

    [Fact]
    public async Task Checkpoint_OneSinkFails_OthersStillGetIt()
    {
        var failures = new List<Exception>();
        var checkpointer = new AuditCheckpointer(() => _head, _key, [new FailingSink(), new ListSink(_published)], new CheckpointPolicy(), null, (_, e) => failures.Add(e));
        Move(3);

        await checkpointer.CheckpointAsync(Start);

        Assert.Single(failures);
        Assert.Single(_published);
    }

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private AuditCheckpointer Create() =>
        new(() => _head, _key, [new ListSink(_published)], new CheckpointPolicy { EveryRecords = 100, Every = TimeSpan.FromHours(1) }, null, (_, e) => throw e);

    private void Move(long records) => _head = (_head.Sequence + records, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(_head.Sequence + records))));

    private sealed class ListSink(List<AuditCheckpoint> published) : ICheckpointSink
    {
        public ValueTask PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            published.Add(checkpoint);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FailingSink : ICheckpointSink
    {
        public ValueTask PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken) => throw new IOException("No space left on device");
    }
}
