using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Scrubbing;

/// <summary>
/// Finds silent corruption: walks every stored version's segments, checks that each data file exists, is read-only,
/// has the recorded size and still hashes to the segment's part ETag (MD5), and reports files in objects/ that nothing
/// refers to and files the vault quarantined at start. It only reads: it never repairs, deletes or changes a mode, so it is safe against a serving vault
/// (SQLite readers see committed state; data files are immutable once published).
/// </summary>
/// <remarks>
/// Memory stays flat: metadata is read in batches, files are streamed through one pooled buffer. A finding is passed
/// to the optional <c>onFinding</c> hook (the vault audits it) as soon as it is confirmed; if the hook throws, the
/// scrub stops with that exception rather than carry on with findings nobody recorded.
/// </remarks>
public sealed class Scrubber
{
    private const int BufferSize = 1 << 20;

    /// <summary>Progress is reported at least this often while one large file is read.</summary>
    private const long ProgressEveryBytes = 64L << 20;

    private readonly VaultLayout _layout;
    private readonly StoredSegments _segments;
    private readonly MetadataDatabase _database;
    private readonly TimeProvider _time;
    private readonly Func<ScrubFinding, Task>? _onFinding;

    public Scrubber(VaultLayout layout, MetadataDatabase database, TimeProvider time, Func<ScrubFinding, Task>? onFinding = null)
    {
        _layout = layout;
        _segments = new StoredSegments(database);
        _database = database;
        _time = time;
        _onFinding = onFinding;
    }

    /// <summary>Runs one full scrub. Cancellation stops it between reads and throws <see cref="OperationCanceledException"/>.</summary>
    public async Task<ScrubResult> ScrubAsync(ScrubOptions? options = null, IProgress<ScrubProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new ScrubOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        var started = _time.GetUtcNow();
        var run = new Run(progress, new ReadRateLimit(options.BytesPerSecond, _time), _segments.Totals().Bytes);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long afterSequence = 0;
            var afterIndex = -1;
            long lastSequence = -1;
            while (true)
            {
                var batch = _segments.NextBatch(afterSequence, afterIndex, options.BatchSize);
                foreach (var segment in batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (segment.Sequence != lastSequence)
                    {
                        run.VersionsChecked++;
                        lastSequence = segment.Sequence;
                    }

                    await CheckAsync(segment, run, buffer, cancellationToken);
                    run.SegmentsChecked++;
                    run.Report();
                }

                if (batch.Count < options.BatchSize)
                {
                    break;
                }

                (afterSequence, afterIndex) = (batch[^1].Sequence, batch[^1].Index);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        LockCheckSummary? locks = null;
        if (options.CheckLocks)
        {
            locks = await new LockCrossCheck(_layout.AuditDirectory, _database, finding => ReportAsync(run, finding)).RunAsync(options.BatchSize, cancellationToken);
        }

        var orphans = options.FindOrphans ? FindOrphans(options.OrphanGracePeriod, cancellationToken) : [];
        return new ScrubResult(started, _time.GetUtcNow(), run.VersionsChecked, run.SegmentsChecked, run.BytesRead, run.Findings, orphans)
        {
            Quarantined = new DataFileStore(_layout).ListQuarantine(),
            Locks = locks,
        };
    }

    private async Task CheckAsync(StoredSegment segment, Run run, byte[] buffer, CancellationToken cancellationToken)
    {
        if (!VaultLayout.IsFileId(segment.FileId))
        {
            // Never build a path from a malformed id: the metadata could have been tampered with to point outside objects/.
            await ReportAsync(run, segment, ScrubProblem.Missing, "the recorded file id is not 32 lower-case hex digits");
            return;
        }

        var file = new FileInfo(_layout.ObjectPath(segment.FileId));
        if (!file.Exists)
        {
            await ReportAsync(run, segment, ScrubProblem.Missing, "the data file does not exist");
            return;
        }

        const UnixFileMode anyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        if ((file.UnixFileMode & anyWrite) != 0)
        {
            await ReportAsync(run, segment, ScrubProblem.Writable, $"mode is {Mode(file.UnixFileMode)}, expected 0400");
        }

        if (file.Length != segment.Size)
        {
            await ReportAsync(run, segment, ScrubProblem.SizeMismatch, $"the file has {file.Length} bytes, the segment records {segment.Size}");
            return;
        }

        string actual;
        try
        {
            actual = await HashAsync(file.FullName, run, buffer, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await ReportAsync(run, segment, e is FileNotFoundException ? ScrubProblem.Missing : ScrubProblem.Unreadable, e.Message);
            return;
        }

        var expected = segment.PartETag.Trim('"');
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            await ReportAsync(run, segment, ScrubProblem.ChecksumMismatch, $"MD5 of the file is {actual}, the segment records {expected}");
        }
    }

    private async Task<string> HashAsync(string path, Run run, byte[] buffer, CancellationToken cancellationToken)
    {
        // MD5 because the part ETag is S3's MD5; it detects accidental corruption, which is the scrubber's job.
        // Deliberate tampering is the backup engine's to detect (its blobs are AEAD-authenticated).
#pragma warning disable CA5351
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        await using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read | FileShare.Delete,
            BufferSize = 0,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        long sinceReport = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
        {
            md5.AppendData(buffer, 0, read);
            run.BytesRead += read;
            sinceReport += read;
            if (sinceReport >= ProgressEveryBytes)
            {
                sinceReport = 0;
                run.Report();
            }

            await run.Rate.ConsumeAsync(read, cancellationToken);
        }

        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    private async Task ReportAsync(Run run, StoredSegment segment, ScrubProblem problem, string detail)
    {
        if (!_segments.StillReferenced(segment))
        {
            return;
        }

        await ReportAsync(run, new ScrubFinding(problem, segment.Bucket, segment.Key, segment.VersionId, segment.Index, segment.FileId, detail));
    }

    private async Task ReportAsync(Run run, ScrubFinding finding)
    {
        run.Findings.Add(finding);
        if (_onFinding is not null)
        {
            await _onFinding(finding);
        }
    }

    private List<OrphanFile> FindOrphans(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow() - gracePeriod;

        // Candidates first, then one metadata snapshot: a file listed here and committed meanwhile is seen as referenced.
        // Ids are kept as 128-bit numbers, not strings, so a vault of millions of files costs tens of MB here.
        var candidates = new HashSet<UInt128>();
        var oddNames = new List<string>();
        if (!Directory.Exists(_layout.ObjectsDirectory))
        {
            return [];
        }

        foreach (var path in Directory.EnumerateFiles(_layout.ObjectsDirectory, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (File.GetLastWriteTimeUtc(path) > cutoff.UtcDateTime)
            {
                continue;
            }

            if (_layout.IsDataFilePath(path, out var name))
            {
                candidates.Add(UInt128.Parse(name, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            }
            else
            {
                // Nothing can refer to a file outside its fan-out folder or with a name that is not a file id.
                oddNames.Add(Path.GetRelativePath(_layout.ObjectsDirectory, path));
            }
        }

        _segments.ForEachReferencedFile(id =>
        {
            if (VaultLayout.IsFileId(id))
            {
                candidates.Remove(UInt128.Parse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            }
        });

        var orphans = new List<OrphanFile>();
        var names = candidates.Select(id => id.ToString("x32", CultureInfo.InvariantCulture)).Select(id => (Id: id, Path: _layout.ObjectPath(id)))
            .Concat(oddNames.Select(name => (Id: name, Path: Path.Combine(_layout.ObjectsDirectory, name))));
        foreach (var (id, path) in names)
        {
            // Deleted since the listing (the vault removes files after the commit that dropped them): not an orphan.
            var info = new FileInfo(path);
            if (info.Exists)
            {
                orphans.Add(new OrphanFile(id, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero)));
            }
        }

        orphans.Sort((a, b) => string.CompareOrdinal(a.FileId, b.FileId));
        return orphans;
    }

    private static string Mode(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    /// <summary>Counters of one run.</summary>
    private sealed class Run(IProgress<ScrubProgress>? progress, ReadRateLimit rate, long totalBytes)
    {
        public ReadRateLimit Rate { get; } = rate;

        public List<ScrubFinding> Findings { get; } = [];

        public long VersionsChecked { get; set; }

        public long SegmentsChecked { get; set; }

        public long BytesRead { get; set; }

        public void Report() => progress?.Report(new ScrubProgress(VersionsChecked, SegmentsChecked, BytesRead, totalBytes, Findings.Count));
    }
}
