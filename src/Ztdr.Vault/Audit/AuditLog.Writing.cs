using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Audit;

/// <summary>
/// The writer loop (group commit: every record appended while a flush is in flight joins the next batch, one write
/// and one fsync per batch), its fail-closed path, and the space reserve that keeps it writing on a full disk.
/// </summary>
public sealed partial class AuditLog
{
    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            long chars = 0;
            while (batch.Count < MaxBatch && chars < MaxBatchChars && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                chars += Length(pending.Event);
            }

            try
            {
                var events = batch.ConvertAll(pending => pending.Event);
                WithSpaceReserve(() => WriteBatch(events));
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }

                WithSpaceReserve(() => new AuditHead(_sequence, _hash).Write(_paths.Head));
            }
            catch (Exception e)
            {
                // The loop is a boundary: nothing is swallowed. Every waiter, now and later, gets this failure.
                Fail(e, batch);
                return;
            }

            batch.Clear();
        }
    }

    private void Fail(Exception cause, List<Pending> batch)
    {
        _fault = new AuditLogUnavailableException($"The audit log '{_paths.Log}' failed and accepts no more records until the vault restarts: {cause.Message}", cause);
        _queue.Writer.TryComplete();
        foreach (var pending in batch)
        {
            pending.Done.TrySetException(_fault);
        }

        while (_queue.Reader.TryRead(out var pending))
        {
            pending.Done.TrySetException(_fault);
        }
    }

    /// <summary>Appends the events as the next records in one write and one fsync.</summary>
    private void WriteBatch(IReadOnlyList<AuditEvent> events)
    {
        var sequence = _sequence;
        var hash = _hash;
        var last = 0L;
        using var buffer = new MemoryStream();
        foreach (var auditEvent in events)
        {
            last = auditEvent.TrustedTime.UtcTicks;
            sequence++;
            var (record, line) = AuditRecordFormat.Create(sequence, hash, auditEvent);
            buffer.Write(line);
            hash = record.Hash;
        }

        var start = _log.Seek(0, SeekOrigin.End);
        try
        {
            _log.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _log.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Drop what part of the batch reached the file: no caller was told it is durable, and a retry rewrites it.
            _log.SetLength(start);
            throw;
        }

        Volatile.Write(ref _hash, hash);
        Interlocked.Exchange(ref _sequence, sequence);
        Interlocked.Exchange(ref _lastTimeTicks, last);
    }

    /// <summary>
    /// Creates the space reserve if it is missing and the disk has room (at every start, so a reserve spent while the
    /// disk was full comes back once space was freed and the vault restarted). No room is not an error: the log then
    /// simply has no reserve.
    /// </summary>
    private static void EnsureSpaceReserve(AuditPaths paths)
    {
        if (File.Exists(paths.SpaceReserve))
        {
            return;
        }

        try
        {
            DurableFile.Write(paths.SpaceReserve, new byte[SpaceReserveBytes], AuditPaths.FileMode, overwrite: false);
        }
        catch (IOException e) when (DataFileStore.IsNoSpace(e))
        {
            // DurableFile.Write removed its partial temporary file; the log runs without a reserve.
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/>; if the disk is full, frees the space reserve and runs it once more. Only a
    /// second failure (no reserve left) fails the log, closed.
    /// </summary>
    private void WithSpaceReserve(Action write)
    {
        try
        {
            write();
        }
        catch (IOException e) when (DataFileStore.IsNoSpace(e) && File.Exists(_paths.SpaceReserve))
        {
            File.Delete(_paths.SpaceReserve);
            write();
        }
    }

    private sealed record Pending(AuditEvent Event, TaskCompletionSource Done);
}
