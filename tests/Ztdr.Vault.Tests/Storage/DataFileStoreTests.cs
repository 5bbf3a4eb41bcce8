using System.Text;
using Ztdr.S3.Errors;

namespace Ztdr.Vault.Tests.Storage;

public sealed class DataFileStoreTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task StageAsync_Body_IsOnlyInStagingAndOwnerOnly()
    {
        using var body = new MemoryStream(Encoding.UTF8.GetBytes("hello"));

        var staged = await _vault.Files.StageAsync(body, 100, CancellationToken.None);

        Assert.Equal(5, staged.Size);
        Assert.Equal(_vault.Layout.StagingDirectory, Path.GetDirectoryName(staged.Path));
        Assert.False(_vault.Files.Exists(staged.FileId));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(staged.Path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Fact]
    public async Task Discard_StagedFile_LeavesNothingAnywhere()
    {
        using var body = new MemoryStream(Encoding.UTF8.GetBytes("hello"));
        var staged = await _vault.Files.StageAsync(body, 100, CancellationToken.None);

        _vault.Files.Discard(staged);

        Assert.Empty(_vault.StagingEntries());
        Assert.False(_vault.Files.Exists(staged.FileId));
    }

    [Fact]
    public async Task StageAsync_BodyLongerThanLimit_IsEntityTooLargeAndLeavesNothingInStaging()
    {
        using var body = new MemoryStream(new byte[101]);

        var error = await Assert.ThrowsAsync<S3Exception>(() => _vault.Files.StageAsync(body, 100, CancellationToken.None));

        Assert.Equal("EntityTooLarge", error.Error.Code);
        Assert.Empty(_vault.StagingEntries());
    }

    [Fact]
    public async Task StageAsync_BodyExactlyAtLimit_IsAccepted()
    {
        using var body = new MemoryStream(new byte[100]);

        var staged = await _vault.Files.StageAsync(body, 100, CancellationToken.None);

        Assert.Equal(100, staged.Size);
    }

    [Fact]
    public async Task StageAsync_SourceFailsMidway_RethrowsAndLeavesNothingInStaging()
    {
        using var body = new FailingStream(bytesBeforeFailure: 10);

        await Assert.ThrowsAsync<IOException>(() => _vault.Files.StageAsync(body, 1000, CancellationToken.None));

        Assert.Empty(_vault.StagingEntries());
    }

    [Fact]
    public async Task StageAsync_Cancelled_LeavesNothingInStaging()
    {
        using var body = new MemoryStream(new byte[10]);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _vault.Files.StageAsync(body, 1000, cancellation.Token));

        Assert.Empty(_vault.StagingEntries());
    }

    [Fact]
    public async Task Publish_StagedFile_MovesItUnderObjectsReadOnlyByOwner()
    {
        var segment = await _vault.WriteFileAsync("content");

        var path = Path.Combine(_vault.Layout.ObjectsDirectory, segment.FileId[..2], segment.FileId);
        Assert.True(File.Exists(path));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(path));
        Assert.Empty(_vault.StagingEntries());
        Assert.Equal("content", _vault.ReadFile(segment.FileId));
        Assert.Equal(7, segment.Size);
    }

    [Fact]
    public async Task Publish_FileIds_Are32LowerHexAndUnique()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            var segment = await _vault.WriteFileAsync("x");
            Assert.Matches("^[0-9a-f]{32}$", segment.FileId);
            ids.Add(segment.FileId);
        }

        Assert.Equal(20, ids.Count);
    }

    [Fact]
    public async Task ClearStaging_LeftoversInStaging_AreRemoved()
    {
        using var body = new MemoryStream(new byte[10]);
        await _vault.Files.StageAsync(body, 100, CancellationToken.None);
        File.WriteAllText(Path.Combine(_vault.Layout.StagingDirectory, "torn-upload"), "partial");
        Directory.CreateDirectory(Path.Combine(_vault.Layout.StagingDirectory, "nested"));

        _vault.Files.ClearStaging();

        Assert.True(Directory.Exists(_vault.Layout.StagingDirectory));
        Assert.Empty(_vault.StagingEntries());
    }

    [Fact]
    public async Task ClearStaging_StagingIsALink_EmptiesTheTargetAndKeepsTheLink()
    {
        // Deleting and recreating tmp/ replaced a link with a folder on another filesystem, where every publish
        // rename became a copy nobody fsyncs (the power-loss rig links tmp/ onto LazyFS).
        var target = Path.Combine(_vault.Layout.Root, "staging-elsewhere");
        Directory.CreateDirectory(target);
        Directory.Delete(_vault.Layout.StagingDirectory, recursive: true);
        File.CreateSymbolicLink(_vault.Layout.StagingDirectory, target);
        using var body = new MemoryStream(new byte[10]);
        await _vault.Files.StageAsync(body, 100, CancellationToken.None);

        _vault.Files.ClearStaging();

        Assert.Equal(target, new DirectoryInfo(_vault.Layout.StagingDirectory).LinkTarget);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }

    [Fact]
    public void RecoverFromCrash_ClockTemporaryLeftByAPowerLoss_IsDeleted()
    {
        var leftover = Path.Combine(_vault.Layout.MetadataDirectory, ".clock.json.00112233445566ff.tmp");
        File.WriteAllText(leftover, string.Empty);

        _vault.Store.RecoverFromCrash();

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(_vault.Layout.MetadataDatabase));
    }

    [Fact]
    public async Task Prepare_LeftoversInStaging_AreKept()
    {
        // Prepare runs where another process may be serving the folder: only the owner clears staging.
        using var body = new MemoryStream(new byte[10]);
        await _vault.Files.StageAsync(body, 100, CancellationToken.None);

        _vault.Files.Prepare();

        Assert.Single(_vault.StagingEntries());
    }

    [Fact]
    public async Task QuarantineUnreferenced_UnreferencedFilesMoveToQuarantine_ReferencedStay()
    {
        using var kept = new MemoryStream(new byte[10]);
        var referenced = _vault.Files.Publish(await _vault.Files.StageAsync(kept, 100, CancellationToken.None), "\"e\"");
        using var lost = new MemoryStream(new byte[20]);
        var leftover = _vault.Files.Publish(await _vault.Files.StageAsync(lost, 100, CancellationToken.None), "\"e\"");

        var result = _vault.Files.QuarantineUnreferenced(() => new HashSet<string> { referenced.FileId });

        Assert.Equal([leftover.FileId], result.Quarantined.Select(f => f.FileId));
        Assert.Equal(20, result.Quarantined[0].Size);
        Assert.True(_vault.Files.Exists(referenced.FileId));
        Assert.False(_vault.Files.Exists(leftover.FileId));
        Assert.Equal(20, new FileInfo(Path.Combine(_vault.Layout.QuarantineDirectory, leftover.FileId)).Length);
        Assert.Equal([leftover.FileId], _vault.Files.ListQuarantine().Select(f => f.FileId));
    }

    [Fact]
    public void QuarantineUnreferenced_MoreThanAnyCrashLeaves_QuarantinesAllDeletesNone()
    {
        // A metadata store that lost rows looks like thousands of leftovers; the files are the data, never litter.
        for (var i = 0; i < 4097; i++)
        {
            var id = i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllBytes(Path.Combine(_vault.Layout.ObjectsDirectory, id[..2], id), [1]);
        }

        var result = _vault.Files.QuarantineUnreferenced(() => new HashSet<string>());

        Assert.Equal(4097, result.Quarantined.Count);
        Assert.Empty(Directory.EnumerateFiles(_vault.Layout.ObjectsDirectory, "*", SearchOption.AllDirectories));
        Assert.Equal(4097, Directory.EnumerateFiles(_vault.Layout.QuarantineDirectory).Count());
    }

    [Fact]
    public async Task ReleaseFromQuarantine_QuarantinedFile_IsBackInObjectsReadOnly()
    {
        using var body = new MemoryStream(new byte[7]);
        var file = _vault.Files.Publish(await _vault.Files.StageAsync(body, 100, CancellationToken.None), "\"e\"");
        _vault.Files.QuarantineUnreferenced(() => new HashSet<string>());

        _vault.Files.ReleaseFromQuarantine(file.FileId);

        Assert.True(_vault.Files.Exists(file.FileId));
        Assert.Empty(_vault.Files.ListQuarantine());
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(_vault.Layout.ObjectPath(file.FileId)));
    }

    [Fact]
    public async Task Prepare_PublishedFiles_AreKept()
    {
        var segment = await _vault.WriteFileAsync("keep");

        _vault.Files.Prepare();

        Assert.Equal("keep", _vault.ReadFile(segment.FileId));
    }

    [Fact]
    public void Prepare_Always_CreatesAll256FanOutFoldersOwnerOnly()
    {
        var folders = Directory.GetDirectories(_vault.Layout.ObjectsDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(Enumerable.Range(0, 256).Select(i => i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)), folders);
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(_vault.Layout.ObjectsDirectory) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute));
    }

    [Fact]
    public async Task Delete_PublishedFile_RemovesIt()
    {
        var segment = await _vault.WriteFileAsync("gone");

        _vault.Files.Delete(segment.FileId);

        Assert.False(_vault.Files.Exists(segment.FileId));
    }

    private sealed class FailingStream(int bytesBeforeFailure) : Stream
    {
        private int _remaining = bytesBeforeFailure;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_remaining == 0)
            {
                throw new IOException("connection reset by peer");
            }

            var n = Math.Min(_remaining, buffer.Length);
            buffer[..n].Fill(0x41);
            _remaining -= n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
