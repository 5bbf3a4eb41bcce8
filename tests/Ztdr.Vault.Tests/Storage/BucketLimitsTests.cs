using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Tests.Storage;

/// <summary>Issue 12's limits as the catalogs keep them: stored with the bucket, judged inside the commit.</summary>
public sealed class BucketLimitsTests
{
    private static readonly TrustedInstant Trusted = new(TestVault.Now, true);

    [Fact]
    public async Task CreateAsync_WithLimits_ReadsThemBack()
    {
        using var vault = new TestVault();
        var limits = new BucketLimits(new MaxRetention(30, null), WriteOnce: true, QuotaBytes: 1 << 20);

        await vault.Buckets.CreateAsync("limited", VersioningState.Enabled, objectLock: true, limits);

        Assert.Equal(limits, vault.Buckets.Get("limited").Limits);
    }

    [Fact]
    public async Task CreateAsync_WithoutLimits_GetsTenYearsNoWriteOnceNoQuota()
    {
        using var vault = new TestVault();

        await vault.Buckets.CreateAsync("plain", VersioningState.Enabled, objectLock: true);

        Assert.Equal(new BucketLimits(MaxRetention.Default, false, null), vault.Buckets.Get("plain").Limits);
    }

    [Fact]
    public async Task PutAsync_WriteOnceRacingTwiceOnNewName_OnlyOneCommits()
    {
        using var vault = new TestVault();
        await vault.Buckets.CreateAsync("once", VersioningState.Enabled, objectLock: true, new BucketLimits(null, true, null));
        var first = await vault.WriteFileAsync("first");
        var second = await vault.WriteFileAsync("second");

        var results = await Task.WhenAll(
            Attempt(vault, new NewVersion("once", "name", first.Size, first.PartETag, StoredHeaders.Empty, null, [first])),
            Attempt(vault, new NewVersion("once", "name", second.Size, second.PartETag, StoredHeaders.Empty, null, [second])));

        Assert.Equal(S3Errors.WriteOnceName, Assert.Single(results, r => r is not null)!.Error);
        Assert.Single(vault.Objects.ListVersions("once", [], null, null, 10));
    }

    [Fact]
    public async Task PutAsync_WriteOnceNameWhoseVersionsWereAllDeleted_Commits()
    {
        using var vault = new TestVault();
        await vault.Buckets.CreateAsync("once", VersioningState.Enabled, objectLock: true, new BucketLimits(null, true, null));
        var written = await vault.PutAsync("once", "k");
        await vault.Objects.DeleteAsync("once", "k", written.Result.VersionId, default, Trusted);

        var again = await vault.PutAsync("once", "k", "again");

        Assert.True(again.Result.IsLatest);
    }

    [Fact]
    public async Task PutAsync_KeyQuota_CountsEveryBucketAndFreesOnDelete()
    {
        using var vault = new TestVault();
        var keyId = "ZVQUOTAKEY00000000001";
        await vault.Store.Keys.AddAsync(keyId, "secret", Ztdr.Vault.Identity.Role.Backup, ["*"], quotaBytes: 10);
        await vault.Buckets.CreateAsync("a", VersioningState.Enabled, objectLock: false);
        await vault.Buckets.CreateAsync("b", VersioningState.Enabled, objectLock: false);
        var six = await PutByAsync(vault, "a", "k", "123456", keyId);

        var refused = await Assert.ThrowsAsync<S3Exception>(() => PutByAsync(vault, "b", "k", "12345", keyId));
        Assert.Equal(S3Errors.QuotaExceeded, refused.Error);

        await vault.Objects.DeleteAsync("a", "k", six.Result.VersionId, default, Trusted);
        await PutByAsync(vault, "b", "k", "12345", keyId);
    }

    [Fact]
    public async Task PutAsync_BucketQuota_CountsEveryWriter()
    {
        using var vault = new TestVault();
        await vault.Buckets.CreateAsync("q", VersioningState.Enabled, objectLock: false, new BucketLimits(null, false, 10));
        await PutByAsync(vault, "q", "one", "123456", "ZVWRITERONE0000000001");

        var refused = await Assert.ThrowsAsync<S3Exception>(() => PutByAsync(vault, "q", "two", "12345", "ZVWRITERTWO0000000002"));

        Assert.Equal(S3Errors.QuotaExceeded, refused.Error);
        Assert.Null(vault.Objects.Find("q", "two", null));
    }

    [Fact]
    public async Task SetObjectLockConfigurationAsync_RuleBeyondMaximum_IsInvalidArgumentAndRuleUnchanged()
    {
        using var vault = new TestVault();
        await vault.Buckets.CreateAsync("lock", VersioningState.Enabled, objectLock: true);

        var refused = await Assert.ThrowsAsync<S3Exception>(() => vault.Buckets.SetObjectLockConfigurationAsync("lock", new DefaultRetention(LockMode.Compliance, null, 11), Trusted));

        Assert.Equal(S3Errors.InvalidArgument, refused.Error);
        Assert.Null(vault.Buckets.Get("lock").DefaultRetention);
    }

    private static async Task<Mutation<ObjectVersion>> PutByAsync(TestVault vault, string bucket, string key, string content, string writer)
    {
        var segment = await vault.WriteFileAsync(content);
        return await vault.Objects.PutAsync(new NewVersion(bucket, key, segment.Size, segment.PartETag, StoredHeaders.Empty, null, [segment]) { Writer = writer }, Trusted);
    }

    private static async Task<S3Exception?> Attempt(TestVault vault, NewVersion version)
    {
        try
        {
            await vault.Objects.PutAsync(version, Trusted);
            return null;
        }
        catch (S3Exception e)
        {
            return e;
        }
    }
}
