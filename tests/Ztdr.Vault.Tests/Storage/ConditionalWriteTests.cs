using Ztdr.S3.Errors;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tests.Storage;

public sealed class ConditionalWriteTests
{
    [Fact]
    public async Task PutAsync_RequireAbsentRacingTwice_OnlyOneCommits()
    {
        using var vault = new TestVault();
        var bucket = await vault.CreateBucketAsync(VersioningState.Enabled);
        var first = await vault.WriteFileAsync("first");
        var second = await vault.WriteFileAsync("second");
        var a = new NewVersion(bucket, "once", first.Size, first.PartETag, StoredHeaders.Empty, null, [first]) { RequireAbsent = true };
        var b = new NewVersion(bucket, "once", second.Size, second.PartETag, StoredHeaders.Empty, null, [second]) { RequireAbsent = true };

        var results = await Task.WhenAll(Attempt(vault, a), Attempt(vault, b));

        Assert.Equal(1, results.Count(r => r is null));
        Assert.Equal(S3Errors.PreconditionFailed, Assert.Single(results, r => r is not null)!.Error);
        Assert.Single(vault.Objects.ListVersions(bucket, [], null, null, 10));
    }

    [Fact]
    public async Task PutAsync_RequireAbsentAfterDeleteMarker_Commits()
    {
        using var vault = new TestVault();
        var bucket = await vault.CreateBucketAsync(VersioningState.Enabled);
        await vault.PutAsync(bucket, "k");
        await vault.Objects.DeleteAsync(bucket, "k", null);
        var segment = await vault.WriteFileAsync("again");

        var written = await vault.Objects.PutAsync(new NewVersion(bucket, "k", segment.Size, segment.PartETag, StoredHeaders.Empty, null, [segment]) { RequireAbsent = true });

        Assert.False(written.Result.IsDeleteMarker);
    }

    private static async Task<S3Exception?> Attempt(TestVault vault, NewVersion version)
    {
        try
        {
            await vault.Objects.PutAsync(version);
            return null;
        }
        catch (S3Exception e)
        {
            return e;
        }
    }
}
