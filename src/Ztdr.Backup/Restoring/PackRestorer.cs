using Microsoft.Win32.SafeHandles;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Stores;
using PackPins = Ztdr.Backup.Repository.PackPins;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// Writes the content of a restore's files pack by pack, as restic's filerestorer does. The plan lists, for each pack,
/// the blobs the restore needs from it and every (file, offset) each is written to; packs are taken in the order the
/// files first use them, so files complete early and few stay partly written. A pack is read with one ranged request
/// per window (needed blobs less than <see cref="MaxGap"/> apart, at most <see cref="WindowBytes"/> unless one blob is
/// larger), and each blob in it is opened once — authenticated, decompressed, id re-checked — and written to all its
/// uses. Windows, not whole packs, are the workers' unit: a restore from a few packs still keeps every worker busy.
/// A file is finished (owner, mode, time, handed to <see cref="DurableRenames"/>) when its last blob use is written; a
/// file without content is created and finished directly.
/// <para>
/// Memory: the plan holds one small record per blob use, window and file; besides, each of the bounded workers holds
/// one set of <see cref="WindowBuffers"/>, reused window after window: a window (<see cref="WindowBytes"/>, or one
/// sealed blob when larger) and the blob it is writing (its decrypted unit and raw bytes). At most <see cref="OpenFiles.DefaultCapacity"/> file handles are open (plus one per
/// worker when all are in use).
/// </para>
/// On any failure (a damaged blob, an IO error, a cancel) every temporary file not yet handed over is closed and removed.
/// </summary>
internal sealed class PackRestorer
{
    /// <summary>Most bytes one request reads: half a pack of the default size, so a pack costs a few requests.</summary>
    public const long WindowBytes = Repository.Repository.BatchWindow;

    /// <summary>Bytes not needed that a request still reads between needed blobs: cheaper than another request.</summary>
    public const long MaxGap = Repository.Repository.BatchGap;

    private readonly Repository.Repository _repository;
    private readonly List<RestoringFile> _files = [];
    private readonly List<RestoringFile> _empty = [];
    private readonly List<PackJob> _packs = [];
    private readonly List<Window> _windows = [];
    private readonly OpenFiles _open;
    private readonly WindowBuffers.Pool _buffers = new();
    private DurableRenames? _renames;
    private Action<long>? _wrote;
    private bool _setOwners;
    private int _requests;
    private int _opened;

    /// <summary>
    /// Plans the content of <paramref name="files"/> (in tree order). Throws before anything is written when a blob is
    /// in no index or a file's blobs do not add up to its size.
    /// </summary>
    /// <param name="repository"></param>
    /// <param name="files"></param>
    /// <param name="tempPath">A new temporary path in the given folder, for each file as it is created.</param>
    /// <param name="maxOpenFiles"></param>
    public PackRestorer(Repository.Repository repository, IReadOnlyList<PlannedEntry> files, Func<byte[], byte[]> tempPath, int maxOpenFiles = OpenFiles.DefaultCapacity)
    {
        _repository = repository;
        _open = new OpenFiles(maxOpenFiles, tempPath);
        var uses = new Dictionary<BlobId, BlobUse>();
        var packs = new Dictionary<ObjectId, PackJob>();
        var locations = new List<PackEntry>();
        foreach (var entry in files)
        {
            var content = entry.Node.Content!;
            locations.Clear();
            long size = 0;
            foreach (var id in content)
            {
                if (!uses.TryGetValue(id, out var use))
                {
                    if (!repository.TryLocate(id, out var location))
                    {
                        throw new KeyNotFoundException($"Blob {id} of '{entry.Display}' is in no index of this repository. Run 'ztdr verify' to find what is missing.");
                    }

                    if (!packs.TryGetValue(location.PackId, out var pack))
                    {
                        pack = new PackJob(location.PackId);
                        packs.Add(location.PackId, pack);
                        _packs.Add(pack);
                    }

                    use = new BlobUse(location.Entry);
                    uses.Add(id, use);
                    pack.Blobs.Add(use);
                }

                locations.Add(use.Entry);
                size += use.Entry.RawLength;
            }

            if (entry.Node.Size is { } expected && expected != size)
            {
                throw new RepositoryFormatException($"The file '{entry.Display}' should be {expected} bytes but its content blobs hold {size}.");
            }

            var file = new RestoringFile(entry, size, content.Count);
            _files.Add(file);
            if (content.Count == 0)
            {
                _empty.Add(file);
                continue;
            }

            long offset = 0;
            for (var i = 0; i < content.Count; i++)
            {
                uses[content[i]].Targets.Add((file, offset));
                offset += locations[i].RawLength;
            }
        }

        foreach (var pack in _packs)
        {
            pack.Blobs.Sort((a, b) => a.Entry.Offset.CompareTo(b.Entry.Offset));
            for (var first = 0; first < pack.Blobs.Count;)
            {
                var last = WindowEnd(pack.Blobs, first);
                _windows.Add(new Window(pack, first, last));
                first = last;
            }
        }
    }

    /// <summary>Ranged pack reads made so far (for measurement and tests).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Blobs opened so far: each needed blob once, however many files or places use it.</summary>
    public int BlobsOpened => Volatile.Read(ref _opened);

    /// <summary>Packs the restore reads from.</summary>
    public int Packs => _packs.Count;

    /// <summary>
    /// Writes every planned file with <paramref name="workers"/> windows at once (in pack order, so a pack's windows
    /// are read side by side), handing each finished file to
    /// <paramref name="renames"/>; <paramref name="wrote"/> is told the bytes of each blob use written (from several
    /// threads). Call once.
    /// </summary>
    public async Task RestoreAsync(int workers, DurableRenames renames, bool setOwners, Action<long> wrote, CancellationToken cancellationToken)
    {
        (_renames, _setOwners, _wrote) = (renames, setOwners, wrote);
        try
        {
            foreach (var file in _empty)
            {
                cancellationToken.ThrowIfCancellationRequested();
                SafeFileHandle handle;
                try
                {
                    handle = _open.Create(file);
                }
                catch (IOException e) when (Unnamed(e))
                {
                    throw Named(e, file);
                }

                Finish(file, handle);
            }

            var parallel = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(_windows, parallel, (window, token) => new ValueTask(RestoreWindowAsync(window, token)));
        }
        catch
        {
            // Every worker has stopped (Parallel.ForEachAsync waits for them): close what is open and remove each
            // temporary file that no group owns yet.
            foreach (var file in _files)
            {
                file.Handle?.Dispose();
                file.Handle = null;
                if (file.Created && !file.Handed)
                {
                    PosixWriter.RemoveIfPresent(file.Temp);
                }
            }

            throw;
        }
    }

    private async Task RestoreWindowAsync(Window window, CancellationToken cancellationToken)
    {
        var (pack, first, last) = window;
        var blobs = pack.Blobs;
        var range = new ByteRange(blobs[first].Entry.Offset, blobs[last - 1].Entry.End - blobs[first].Entry.Offset);
        var buffers = _buffers.Take();

        // One cipher per window, as verify keeps one per pack: each costs a key derivation and an AES context.
        using var cipher = _repository.Keys.CreateObjectCipher(ObjectType.Pack, pack.Id);
        try
        {
            var bytes = buffers.Window((int)range.Length);
            await ReadAsync(pack.Id, range, bytes, cancellationToken);
            var repinned = false;
            for (var i = first; i < last; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var blob = blobs[i];
                var sealedUnit = bytes.AsMemory((int)(blob.Entry.Offset - range.Offset), (int)blob.Entry.SealedLength);
                var raw = buffers.Raw((int)blob.Entry.RawLength);
                try
                {
                    _repository.OpenBlobInto(new BlobLocation(pack.Id, blob.Entry), cipher, sealedUnit.Span, buffers.Unit(PackReader.UnitLength(sealedUnit.Span)), raw);
                }
                catch (Exception e) when (!repinned && PackPins.MayBeImpostor(e))
                {
                    // The window may come from an impostor written over the pack: look past it once, and read the
                    // window again from the authentic version (or keep the error when there is none).
                    repinned = true;
                    if (!await _repository.TryRepinPackAsync(pack.Id, cancellationToken))
                    {
                        throw;
                    }

                    await ReadAsync(pack.Id, range, bytes, cancellationToken);
                    i--;
                    continue;
                }

                Interlocked.Increment(ref _opened);
                Write(raw.AsSpan(0, (int)blob.Entry.RawLength), blob.Targets);
            }
        }
        finally
        {
            _buffers.Give(buffers);
        }
    }

    // One ranged read; a hidden or replaced pack is looked past once, as the repository's own blob loads do.
    private async Task ReadAsync(ObjectId pack, ByteRange range, byte[] destination, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        try
        {
            await _repository.ReadPackRangeAsync(pack, range, destination, cancellationToken);
            return;
        }
        catch (Exception e) when (PackPins.MayBeImpostor(e))
        {
            if (!await _repository.TryRepinPackAsync(pack, cancellationToken))
            {
                throw;
            }
        }

        Interlocked.Increment(ref _requests);
        await _repository.ReadPackRangeAsync(pack, range, destination, cancellationToken);
    }

    // The end (exclusive) of the window starting at blobs[first]: following blobs join while the gap before each is
    // small and the window stays within WindowBytes. The first blob always fits, however large.
    private static int WindowEnd(List<BlobUse> blobs, int first)
    {
        var start = (long)blobs[first].Entry.Offset;
        var end = blobs[first].Entry.End;
        var next = first + 1;
        while (next < blobs.Count && blobs[next].Entry.Offset - end <= MaxGap && blobs[next].Entry.End - start <= WindowBytes)
        {
            end = Math.Max(end, blobs[next].Entry.End);
            next++;
        }

        return next;
    }

    private void Write(ReadOnlySpan<byte> raw, List<(RestoringFile File, long Offset)> targets)
    {
        foreach (var (file, offset) in targets)
        {
            var handle = _open.Acquire(file);
            var wrote = false;
            SafeFileHandle? finished;
            try
            {
                RandomAccess.Write(handle, raw, offset);
                wrote = true;
            }
            catch (IOException e) when (Unnamed(e))
            {
                throw Named(e, file);
            }
            finally
            {
                finished = _open.Release(file, wrote);
            }

            _wrote!(raw.Length);
            if (finished is not null)
            {
                Finish(file, finished);
            }
        }
    }

    // The file's last blob is written: its metadata goes on through the handle, then the group owns its temporary name.
    private void Finish(RestoringFile file, SafeFileHandle handle)
    {
        var node = file.Entry.Node;
        try
        {
            using (handle)
            {
                if (_setOwners)
                {
                    // Before the mode: a change of owner clears setuid and setgid.
                    PosixWriter.SetOwner(handle, file.Temp, node.Uid ?? uint.MaxValue, node.Gid ?? uint.MaxValue);
                }

                PosixWriter.SetMode(handle, file.Temp, node.Mode);
                PosixWriter.SetModificationTime(handle, file.Temp, node.MtimeNs);
            }
        }
        catch (IOException e) when (Unnamed(e))
        {
            throw Named(e, file);
        }

        // Handed first: from the moment Add queues it, the group renames it or removes it on failure.
        file.Handed = true;
        _renames!.Add(file.Temp, file.Entry.Path, file.Size);
    }

    // A full disk or a failing one: the system's message ("No space left on device") names no file; the user needs to
    // know which file system, so the file's real path goes with it.
    private static bool Unnamed(IOException e) => e is not EndOfStreamException && !e.Message.Contains('/', StringComparison.Ordinal);

    private static IOException Named(IOException e, RestoringFile file) => new($"{e.Message}: cannot write '{file.Entry.Display}'", e);

    /// <summary>One needed blob and every place it is written: (file, offset), a file twice if it holds the blob twice.</summary>
    private sealed record BlobUse(PackEntry Entry)
    {
        public List<(RestoringFile File, long Offset)> Targets { get; } = [];
    }

    /// <summary>Blobs [<see cref="First"/>, <see cref="Last"/>) of a pack, read with one request.</summary>
    private sealed record Window(PackJob Pack, int First, int Last);

    /// <summary>A pack and its needed blobs, by offset once planning is done.</summary>
    private sealed record PackJob(ObjectId Id)
    {
        public List<BlobUse> Blobs { get; } = [];
    }
}
