using Microsoft.Extensions.Logging;
using Ztdr.Vault.Audit;

namespace Ztdr.Vault.Hosting;

/// <summary>
/// Writes every checkpoint to the vault's log as one line holding the checkpoint exactly as the file stores it, so a
/// log shipper that forwards the log off the host carries verifiable checkpoints with it.
/// </summary>
internal sealed partial class LoggedCheckpoints : ICheckpointSink
{
    private readonly ILogger _logger;

    public LoggedCheckpoints(ILogger logger)
    {
        _logger = logger;
    }

    public ValueTask PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        LogCheckpoint(checkpoint.Sequence, checkpoint.ToLine());
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "audit checkpoint of record {Sequence}: {Checkpoint}")]
    private partial void LogCheckpoint(long sequence, string checkpoint);
}
