using System.Text;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Audit;

/// <summary>
/// Somewhere a signed checkpoint goes as soon as it is made. The checkpoints file and the vault's log are the first;
/// the alert channels of the console (a later issue) subscribe the same way, and any of them that leaves the host is
/// what makes a rewritten chain provable.
/// </summary>
public interface ICheckpointSink
{
    /// <summary>Publishes one checkpoint; an <see cref="IOException"/> is logged by the caller and does not stop other sinks.</summary>
    ValueTask PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken);
}

/// <summary>
/// Appends each checkpoint as one line to <c>audit/checkpoints.jsonl</c> and fsyncs it. On the host it is a convenience
/// to export from (<c>ztdr-vault audit checkpoints export</c>), not evidence: root can rewrite it with the chain.
/// </summary>
public sealed class CheckpointFile : ICheckpointSink
{
    private readonly string _path;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public CheckpointFile(string auditDirectory)
    {
        _path = new AuditPaths(Path.GetFullPath(auditDirectory)).Checkpoints;
    }

    /// <summary>The checkpoints file of an audit folder.</summary>
    public static string PathIn(string auditDirectory) => new AuditPaths(Path.GetFullPath(auditDirectory)).Checkpoints;

    /// <summary>The checkpoints in the file that parse, in file order; lines that do not are skipped (verify reports them).</summary>
    public static IEnumerable<AuditCheckpoint> Read(string auditDirectory)
    {
        var path = new AuditPaths(Path.GetFullPath(auditDirectory)).Checkpoints;
        if (!File.Exists(path))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (AuditCheckpoint.TryParse(line, out var checkpoint))
            {
                yield return checkpoint!;
            }
        }
    }

    public async ValueTask PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var created = !File.Exists(_path);
            await using (var stream = new FileStream(_path, DurableFile.CreateOptions(FileMode.Append, FileAccess.Write, AuditPaths.FileMode)))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(checkpoint.ToLine() + "\n"), cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            if (created)
            {
                DurableFile.FlushDirectory(Path.GetDirectoryName(_path)!);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
