using System.Text;
using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tests.Storage;

/// <summary>The commit protocol every S3 write goes through: publish, commit, then delete what the commit freed, or what a failed commit published.</summary>
public sealed class CommitsTests : IDisposable
{
    private static readonly TrustedInstant Trusted = new(TestVault.Now, true);

    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task PutVersionAsync_NewKey_PublishesAndCommits_NothingLeftInStaging()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var staged = await StageAsync("hello");

        var mutation = await _vault.Store.Commits.PutVersionAsync(staged, "\"e\"", segment => Version(bucket, "k", segment), Trusted);

        var stored = _vault.Objects.Find(bucket, "k", mutation.Result.VersionId)!;
        Assert.Equal("hello", _vault.ReadFile(Assert.Single(stored.Segments).FileId));
        Assert.Empty(_vault.StagingEntries());
        Assert.Equal([staged.FileId], DataFiles());
    }

    [Fact]
    public async Task PutVersionAsync_CommitRefused_DeletesThePublishedFile()
    {
        var staged = await StageAsync("refused");

        var error = await Assert.ThrowsAsync<S3Exception>(() => _vault.Store.Commits.PutVersionAsync(staged, "\"e\"", segment => Version("no-such-bucket", "k", segment), Trusted));

        Assert.Equal("NoSuchBucket", error.Error.Code);
        Assert.Empty(DataFiles());
        Assert.Empty(_vault.StagingEntries());
    }

    [Fact]
    public async Task PutVersionAsync_OverwritesTheNullVersion_DeletesTheFileItReplaced()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Unversioned);
        var first = await _vault.Store.Commits.PutVersionAsync(await StageAsync("one"), "\"1\"", segment => Version(bucket, "k", segment), Trusted);
        var firstFile = Assert.Single(_vault.Objects.Find(bucket, "k", first.Result.VersionId)!.Segments).FileId;

        var second = await _vault.Store.Commits.PutVersionAsync(await StageAsync("two"), "\"2\"", segment => Version(bucket, "k", segment), Trusted);

        Assert.Equal([firstFile], second.OrphanedFiles);
        Assert.DoesNotContain(firstFile, DataFiles());
        Assert.Equal("two", _vault.ReadFile(Assert.Single(DataFiles())));
    }

    [Fact]
    public async Task AbortUploadAsync_DeletesThePartFiles()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var upload = await _vault.Uploads.CreateAsync(bucket, "k", StoredHeaders.Empty, null, null);
        await _vault.Store.Commits.PutPartAsync(await StageAsync("part"), "\"p\"", bucket, "k", upload.UploadId, segment => new UploadedPart(1, segment.FileId, segment.Size, "\"p\"", null, TestVault.Now));
        Assert.Single(DataFiles());

        await _vault.Store.Commits.AbortUploadAsync(bucket, "k", upload.UploadId);

        Assert.Empty(DataFiles());
    }

    private static NewVersion Version(string bucket, string key, Segment segment) =>
        new(bucket, key, segment.Size, "\"e\"", StoredHeaders.Empty, null, [segment]);

    private async Task<StagedFile> StageAsync(string content)
    {
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(content));
        return await _vault.Files.StageAsync(body, long.MaxValue, CancellationToken.None);
    }

    private List<string> DataFiles() =>
        [.. Directory.EnumerateFiles(_vault.Layout.ObjectsDirectory, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];
}
