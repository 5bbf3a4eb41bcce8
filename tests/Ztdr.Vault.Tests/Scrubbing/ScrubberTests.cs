using System.Text;
using Ztdr.Vault.Scrubbing;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tests.Scrubbing;

public sealed class ScrubberTests
{
    [Fact]
    public async Task Scrub_CleanVault_ChecksEveryVersionAndFindsNothing()
    {
        using var vault = await ScrubVault.CreateAsync();
        await vault.PutAsync("a", 1000);
        await vault.PutAsync("a", 2000);
        await vault.PutAsync("b/c", 3 << 20);
        await vault.PutAsync("empty", 0);
        await vault.PutAsync("multi", new byte[100], new byte[200], new byte[300]);
        await vault.Store.Objects.DeleteAsync(ScrubVault.Bucket, "b/c", null);

        var result = await vault.Scrubber().ScrubAsync();

        Assert.True(result.IsClean, string.Join("\n", result.Findings));
        Assert.Equal(5, result.VersionsChecked);
        Assert.Equal(7, result.SegmentsChecked);
        Assert.Equal(1000 + 2000 + (3 << 20) + 600, result.BytesRead);
        Assert.Empty(result.Orphans);
    }

    [Fact]
    public async Task Scrub_EmptyVault_FindsNothing()
    {
        using var vault = await ScrubVault.CreateAsync();
        var result = await vault.Scrubber().ScrubAsync();
        Assert.True(result.IsClean);
        Assert.Equal(0, result.VersionsChecked);
        Assert.Empty(result.Orphans);
    }

    [Fact]
    public async Task Scrub_FlippedByte_ReportsChecksumMismatchOfThatVersionOnly()
    {
        using var vault = await ScrubVault.CreateAsync();
        var older = await vault.PutAsync("docs/report.pdf", 5000);
        var newer = await vault.PutAsync("docs/report.pdf", 5000);
        await vault.PutAsync("other", 5000);
        vault.FlipByte(older.Segments[0].FileId, 4321);

        var result = await vault.Scrubber().ScrubAsync();

        var finding = Assert.Single(result.Findings);
        Assert.Equal(ScrubProblem.ChecksumMismatch, finding.Problem);
        Assert.Equal((ScrubVault.Bucket, "docs/report.pdf", older.VersionId, 0, older.Segments[0].FileId), (finding.Bucket, finding.Key, finding.VersionId, finding.SegmentIndex, finding.FileId));
        Assert.NotEqual(newer.VersionId, finding.VersionId);
        Assert.False(result.IsClean);
    }

    [Fact]
    public async Task Scrub_TruncatedFile_ReportsSizeMismatch()
    {
        using var vault = await ScrubVault.CreateAsync();
        var version = await vault.PutAsync("k", 4096);
        vault.Truncate(version.Segments[0].FileId, 100);

        var finding = Assert.Single((await vault.Scrubber().ScrubAsync()).Findings);

        Assert.Equal(ScrubProblem.SizeMismatch, finding.Problem);
        Assert.Equal(version.VersionId, finding.VersionId);
        Assert.Contains("100", finding.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrub_DeletedFile_ReportsMissing()
    {
        using var vault = await ScrubVault.CreateAsync();
        var version = await vault.PutAsync("k", 10);
        vault.Delete(version.Segments[0].FileId);

        var finding = Assert.Single((await vault.Scrubber().ScrubAsync()).Findings);

        Assert.Equal(ScrubProblem.Missing, finding.Problem);
        Assert.Equal(version.VersionId, finding.VersionId);
    }

    [Fact]
    public async Task Scrub_WritableFile_ReportsWritable()
    {
        using var vault = await ScrubVault.CreateAsync();
        var version = await vault.PutAsync("k", 10);
        vault.Chmod(version.Segments[0].FileId, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var finding = Assert.Single((await vault.Scrubber().ScrubAsync()).Findings);

        Assert.Equal(ScrubProblem.Writable, finding.Problem);
        Assert.Contains("0600", finding.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrub_MultipartVersionWithOneBadPart_NamesTheBadSegmentIndex()
    {
        using var vault = await ScrubVault.CreateAsync();
        var version = await vault.PutAsync("big", [Encoding.UTF8.GetBytes("part one"), Encoding.UTF8.GetBytes("part two"), Encoding.UTF8.GetBytes("part three")]);
        vault.FlipByte(version.Segments[2].FileId, 0);

        var finding = Assert.Single((await vault.Scrubber().ScrubAsync()).Findings);

        Assert.Equal(ScrubProblem.ChecksumMismatch, finding.Problem);
        Assert.Equal(2, finding.SegmentIndex);
        Assert.Equal(version.Segments[2].FileId, finding.FileId);
    }

    [Fact]
    public async Task Scrub_ManyVersionsAcrossBatches_ChecksEachOnce()
    {
        using var vault = await ScrubVault.CreateAsync();
        var versions = new List<ObjectVersion>();
        for (var i = 0; i < 9; i++)
        {
            versions.Add(await vault.PutAsync("k" + i, [new byte[] { (byte)i }, new byte[] { 1, 2 }]));
        }

        vault.FlipByte(versions[7].Segments[1].FileId, 1);

        var result = await vault.Scrubber().ScrubAsync(new ScrubOptions { BatchSize = 4 });

        Assert.Equal(9, result.VersionsChecked);
        Assert.Equal(18, result.SegmentsChecked);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(("k7", 1), (finding.Key, finding.SegmentIndex));
    }

    [Fact]
    public async Task Scrub_OrphanOlderThanGrace_IsReportedAndKept_YoungerIsNot()
    {
        using var vault = await ScrubVault.CreateAsync();
        await vault.PutAsync("k", 10);
        var old = await vault.WriteFileAsync(new byte[77]);
        var young = await vault.WriteFileAsync(new byte[5]);
        File.SetLastWriteTimeUtc(vault.PathOf(old.FileId), DateTime.UtcNow.AddHours(-2));

        var result = await vault.Scrubber().ScrubAsync(new ScrubOptions { OrphanGracePeriod = TimeSpan.FromHours(1) });

        var orphan = Assert.Single(result.Orphans);
        Assert.Equal((old.FileId, 77L), (orphan.FileId, orphan.Size));
        Assert.True(File.Exists(vault.PathOf(old.FileId)), "the scrubber reports orphans, it never deletes");
        Assert.DoesNotContain(result.Orphans, o => o.FileId == young.FileId);
        Assert.True(result.IsClean, "an orphan wastes space but damages no version");
    }

    [Fact]
    public async Task Scrub_PartOfUploadInFlight_IsNotAnOrphan()
    {
        using var vault = await ScrubVault.CreateAsync();
        var upload = await vault.Store.Uploads.CreateAsync(ScrubVault.Bucket, "mp", StoredHeaders.Empty, null, null);
        var file = await vault.WriteFileAsync(new byte[10]);
        await vault.Store.Uploads.PutPartAsync(ScrubVault.Bucket, "mp", upload.UploadId, new UploadedPart(1, file.FileId, file.Size, file.PartETag, null, DateTimeOffset.UtcNow), CancellationToken.None);
        File.SetLastWriteTimeUtc(vault.PathOf(file.FileId), DateTime.UtcNow.AddDays(-3));

        var result = await vault.Scrubber().ScrubAsync(new ScrubOptions { OrphanGracePeriod = TimeSpan.FromHours(1) });

        Assert.Empty(result.Orphans);
    }

    [Fact]
    public async Task Scrub_StrayFileInObjects_IsAnOrphan()
    {
        using var vault = await ScrubVault.CreateAsync();
        var stray = Path.Combine(vault.Layout.ObjectsDirectory, "ab", "not-a-file-id");
        await File.WriteAllTextAsync(stray, "x");
        File.SetLastWriteTimeUtc(stray, DateTime.UtcNow.AddDays(-1));

        var orphan = Assert.Single((await vault.Scrubber().ScrubAsync()).Orphans);

        Assert.Equal(Path.Combine("ab", "not-a-file-id"), orphan.FileId);
    }

    [Fact]
    public async Task Scrub_WithHook_PassesEachFindingToTheHook()
    {
        using var vault = await ScrubVault.CreateAsync();
        var a = await vault.PutAsync("a", 10);
        var b = await vault.PutAsync("b", 10);
        vault.Delete(a.Segments[0].FileId);
        vault.Truncate(b.Segments[0].FileId, 1);
        var audited = new List<ScrubFinding>();

        var result = await vault.Scrubber(f =>
        {
            audited.Add(f);
            return Task.CompletedTask;
        }).ScrubAsync();

        Assert.Equal(result.Findings, audited);
        Assert.Equal([ScrubProblem.Missing, ScrubProblem.SizeMismatch], audited.Select(f => f.Problem));
    }

    [Fact]
    public async Task Scrub_HookThrows_StopsWithThatError()
    {
        using var vault = await ScrubVault.CreateAsync();
        var a = await vault.PutAsync("a", 10);
        vault.Delete(a.Segments[0].FileId);

        await Assert.ThrowsAsync<IOException>(() => vault.Scrubber(_ => throw new IOException("audit log unavailable")).ScrubAsync());
    }

    [Fact]
    public async Task Scrub_Progress_ReportsUpToTheTotal()
    {
        using var vault = await ScrubVault.CreateAsync();
        await vault.PutAsync("a", 100);
        await vault.PutAsync("b", 200);
        var reports = new List<ScrubProgress>();

        await vault.Scrubber().ScrubAsync(progress: new SynchronousProgress<ScrubProgress>(reports.Add));

        Assert.NotEmpty(reports);
        Assert.Equal(new ScrubProgress(2, 2, 300, 300, 0), reports[^1]);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.BytesRead <= p.Second.BytesRead));
    }

    [Fact]
    public async Task Scrub_Cancelled_Throws()
    {
        using var vault = await ScrubVault.CreateAsync();
        await vault.PutAsync("a", 100);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => vault.Scrubber().ScrubAsync(cancellationToken: cancel.Token));
    }

    [Fact]
    public async Task Scrub_WithRateLimit_TakesAsLongAsTheRateRequires()
    {
        using var vault = await ScrubVault.CreateAsync();
        await vault.PutAsync("a", 3 << 20);
        await vault.PutAsync("b", 1 << 20);
        var clock = new SteppingTimeProvider();

        var result = await vault.Scrubber(time: clock).ScrubAsync(new ScrubOptions { BytesPerSecond = 1 << 20 });

        Assert.Equal(4L << 20, result.BytesRead);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3.9), TimeSpan.FromSeconds(4.1));
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
