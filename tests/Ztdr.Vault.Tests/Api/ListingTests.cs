using System.Text;
using Ztdr.Vault.Api;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tests.Storage;

namespace Ztdr.Vault.Tests.Api;

public sealed class ListingTests : IDisposable
{
    private readonly TestVault _vault = new();
    private readonly Listing _listing;

    public ListingTests()
    {
        _listing = new Listing(_vault.Objects);
    }

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task Current_KeysWhereUtf16AndUtf8OrderDiffer_AreInUtf8ByteOrder()
    {
        // U+FFFD is EF BF BD and U+1F600 is F0 9F 98 80 in UTF-8, but in UTF-16 the emoji's high surrogate (D83D)
        // sorts before FFFD. S3 lists in UTF-8 byte order, so "\uFFFD" comes first.
        string[] keys = ["😀", "\uFFFD", "z", "é", "\uE000", "A", "a/😀", "a/\uFFFD"];
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, keys);

        var page = _listing.Current(bucket, string.Empty, null, null, 1000);

        string[] expected = ["A", "a/\uFFFD", "a/😀", "z", "é", "\uE000", "\uFFFD", "😀"];
        Assert.Equal(expected, keys.Order(Utf8Order.Instance));
        Assert.Equal(expected, page.Entries.Select(e => e.Key));
        Assert.False(page.IsTruncated);
    }

    [Fact]
    public async Task Current_PagingOneByOne_ResumesInUtf8OrderAcrossSurrogates()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["😀", "\uFFFD", "x"]);

        var seen = DrainCurrent(bucket, string.Empty, null, 1);

        Assert.Equal(["x", "\uFFFD", "😀"], seen);
    }

    [Fact]
    public async Task Current_Prefix_ReturnsOnlyKeysStartingWithIt()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a", "a/1", "a/2", "a0", "ab", "b/1", "😀/1", "😀x"]);

        Assert.Equal(["a/1", "a/2"], _listing.Current(bucket, "a/", null, null, 1000).Entries.Select(e => e.Key));
        Assert.Equal(["😀/1", "😀x"], _listing.Current(bucket, "😀", null, null, 1000).Entries.Select(e => e.Key));
        Assert.Empty(_listing.Current(bucket, "c", null, null, 1000).Entries);
    }

    [Fact]
    public async Task Current_Delimiter_RollsUpKeysIntoCommonPrefixesOnce()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a/1", "a/2", "a/b/3", "b", "c/1", "d"]);

        var page = _listing.Current(bucket, string.Empty, "/", null, 1000);

        Assert.Equal(["b", "d"], page.Entries.Select(e => e.Key));
        Assert.Equal(["a/", "c/"], page.CommonPrefixes);
        Assert.False(page.IsTruncated);
    }

    [Fact]
    public async Task Current_PrefixAndDelimiter_RollsUpOnlyBelowPrefix()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/index.html", "other"]);

        var page = _listing.Current(bucket, "photos/", "/", null, 1000);

        Assert.Equal(["photos/index.html"], page.Entries.Select(e => e.Key));
        Assert.Equal(["photos/2024/", "photos/2025/"], page.CommonPrefixes);
    }

    [Fact]
    public async Task Current_MultiCharacterDelimiter_RollsUpAtDelimiter()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a--1", "a--2", "a-b"]);

        var page = _listing.Current(bucket, string.Empty, "--", null, 1000);

        Assert.Equal(["a-b"], page.Entries.Select(e => e.Key));
        Assert.Equal(["a--"], page.CommonPrefixes);
    }

    [Fact]
    public async Task Current_MaxKeysEndsOnCommonPrefix_NextPageDoesNotRepeatIt()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a", "b/1", "b/2", "b/3", "c"]);

        var first = _listing.Current(bucket, string.Empty, "/", null, 2);
        var second = _listing.Current(bucket, string.Empty, "/", Listing.After(first.LastKeyOrPrefix, string.Empty, "/"), 2);

        Assert.Equal(["a"], first.Entries.Select(e => e.Key));
        Assert.Equal(["b/"], first.CommonPrefixes);
        Assert.True(first.IsTruncated);
        Assert.True(first.LastWasPrefix);
        Assert.Equal("b/", first.LastKeyOrPrefix);
        Assert.Equal(["c"], second.Entries.Select(e => e.Key));
        Assert.Empty(second.CommonPrefixes);
        Assert.False(second.IsTruncated);
    }

    [Fact]
    public async Task Current_CommonPrefixIsLastEntryOfBucket_IsNotTruncated()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a", "b/1", "b/2"]);

        var page = _listing.Current(bucket, string.Empty, "/", null, 2);

        Assert.Equal(["b/"], page.CommonPrefixes);
        Assert.False(page.IsTruncated);
    }

    [Fact]
    public async Task Current_CommonPrefixOverMoreKeysThanOneBatch_CountsOnceAndPagesCleanly()
    {
        // 600 keys under one prefix: more than the catalog's batch, so the roll-up must skip across batches.
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var keys = Enumerable.Range(0, 600).Select(i => $"big/{i:D4}").Concat(["a", "c", "d/1", "e"]).ToList();
        await _vault.InsertMetadataOnlyAsync(bucket, keys);

        var pages = new List<ListingPage<ObjectVersion>>();
        byte[]? after = null;
        do
        {
            var page = _listing.Current(bucket, string.Empty, "/", after, 2);
            pages.Add(page);
            after = Listing.After(page.LastKeyOrPrefix, string.Empty, "/");
        }
        while (pages[^1].IsTruncated && pages.Count < 10);

        Assert.Equal(["a", "big/", "c", "d/", "e"], pages.SelectMany(p => p.Entries.Select(e => e.Key).Concat(p.CommonPrefixes)).Order(Utf8Order.Instance));
        Assert.Equal([2, 2, 1], pages.Select(p => p.Entries.Count + p.CommonPrefixes.Count));
        Assert.False(pages[^1].IsTruncated);
    }

    [Fact]
    public async Task Current_MoreKeysThanOneBatch_ReturnsAllInOrderWithoutRepeats()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var keys = Enumerable.Range(0, 1100).Select(i => $"k{i:D5}").ToList();
        await _vault.InsertMetadataOnlyAsync(bucket, keys);

        var first = _listing.Current(bucket, string.Empty, null, null, 1000);
        var second = _listing.Current(bucket, string.Empty, null, Listing.After(first.LastKeyOrPrefix, string.Empty, null), 1000);

        Assert.Equal(1000, first.Entries.Count);
        Assert.True(first.IsTruncated);
        Assert.Equal(keys, first.Entries.Concat(second.Entries).Select(e => e.Key));
        Assert.False(second.IsTruncated);
    }

    [Fact]
    public async Task Current_MaxKeysEqualsKeyCount_IsNotTruncated()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a", "b", "c"]);

        var page = _listing.Current(bucket, string.Empty, null, null, 3);

        Assert.Equal(3, page.Entries.Count);
        Assert.False(page.IsTruncated);
    }

    [Fact]
    public async Task Current_MaxKeysOneLessThanKeyCount_IsTruncatedAtLastReturnedKey()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a", "b", "c"]);

        var page = _listing.Current(bucket, string.Empty, null, null, 2);

        Assert.True(page.IsTruncated);
        Assert.Equal("b", page.LastKeyOrPrefix);
        Assert.False(page.LastWasPrefix);
    }

    [Fact]
    public async Task Current_MaxKeysZero_IsEmptyAndNotTruncated()
    {
        // As AWS S3 (and the ceph s3-tests test_bucket_list_maxkeys_zero): a truncated page with nothing in it has
        // no resume point, so a client that follows IsTruncated would ask for the same page forever.
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a", "b"]);

        var page = _listing.Current(bucket, string.Empty, "/", null, 0);

        Assert.Empty(page.Entries);
        Assert.Empty(page.CommonPrefixes);
        Assert.False(page.IsTruncated);
    }

    [Fact]
    public async Task Versions_MaxKeysZero_IsEmptyAndNotTruncated()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a", "b"]);

        var page = _listing.Versions(bucket, string.Empty, null, null, null, 0);

        Assert.Empty(page.Entries);
        Assert.False(page.IsTruncated);
    }

    [Fact]
    public async Task Current_DeleteMarkerIsLatest_KeyIsNotListed()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        await _vault.InsertMetadataOnlyAsync(bucket, ["a", "b", "c"]);
        await _vault.Objects.DeleteAsync(bucket, "b", null);

        Assert.Equal(["a", "c"], _listing.Current(bucket, string.Empty, null, null, 1000).Entries.Select(e => e.Key));
    }

    [Fact]
    public async Task Versions_SeveralKeys_OrderedByKeyThenNewestFirstIncludingMarkers()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        var b1 = (await _vault.PutAsync(bucket, "b", "b1")).Result.VersionId;
        var a1 = (await _vault.PutAsync(bucket, "a", "a1")).Result.VersionId;
        var b2 = (await _vault.PutAsync(bucket, "b", "b2")).Result.VersionId;
        var bMarker = (await _vault.Objects.DeleteAsync(bucket, "b", null)).Result.VersionId!;
        var a2 = (await _vault.PutAsync(bucket, "a", "a2")).Result.VersionId;

        var page = _listing.Versions(bucket, string.Empty, null, null, null, 1000);

        Assert.Equal([a2, a1, bMarker, b2, b1], page.Entries.Select(e => e.VersionId));
        Assert.Equal([true, false, true, false, false], page.Entries.Select(e => e.IsLatest));
        Assert.Equal([false, false, true, false, false], page.Entries.Select(e => e.IsDeleteMarker));
    }

    [Fact]
    public async Task Versions_PagingByKeyAndVersionMarkers_VisitsEveryVersionOnce()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        foreach (var key in new[] { "a", "b", "a", "c", "b", "a" })
        {
            await _vault.PutAsync(bucket, key, key);
        }

        var all = _listing.Versions(bucket, string.Empty, null, null, null, 1000).Entries.Select(e => e.VersionId).ToList();
        var paged = new List<string>();
        byte[]? afterKey = null;
        long? afterSequence = null;
        for (var i = 0; i < 20; i++)
        {
            var page = _listing.Versions(bucket, string.Empty, null, afterKey, afterSequence, 2);
            paged.AddRange(page.Entries.Select(e => e.VersionId));
            if (!page.IsTruncated)
            {
                break;
            }

            // What ListObjectVersions hands the client (NextKeyMarker, NextVersionIdMarker) and resolves on the next call.
            var last = page.LastEntry!;
            afterKey = Encoding.UTF8.GetBytes(page.LastKeyOrPrefix!);
            afterSequence = _vault.Objects.FindSequence(bucket, last.Key, last.VersionId);
        }

        Assert.Equal(6, all.Count);
        Assert.Equal(all, paged);
    }

    [Fact]
    public async Task Versions_DelimiterWithMaxKeysOnCommonPrefix_NextPageDoesNotRepeatIt()
    {
        var bucket = await _vault.CreateBucketAsync(VersioningState.Enabled);
        foreach (var key in new[] { "d/1", "d/1", "d/2", "e" })
        {
            await _vault.PutAsync(bucket, key, key);
        }

        var first = _listing.Versions(bucket, string.Empty, "/", null, null, 1);
        var second = _listing.Versions(bucket, string.Empty, "/", Listing.After(first.LastKeyOrPrefix, string.Empty, "/"), null, 1);

        Assert.Equal(["d/"], first.CommonPrefixes);
        Assert.True(first.IsTruncated);
        Assert.Null(first.LastEntry);
        Assert.Empty(second.CommonPrefixes);
        Assert.Equal(["e"], second.Entries.Select(e => e.Key));
        Assert.False(second.IsTruncated);
    }

    private List<string> DrainCurrent(string bucket, string prefix, string? delimiter, int maxKeys)
    {
        var seen = new List<string>();
        byte[]? after = null;
        for (var i = 0; i < 100; i++)
        {
            var page = _listing.Current(bucket, prefix, delimiter, after, maxKeys);
            seen.AddRange(page.Entries.Select(e => e.Key));
            seen.AddRange(page.CommonPrefixes);
            if (!page.IsTruncated)
            {
                return seen;
            }

            after = Listing.After(page.LastKeyOrPrefix, prefix, delimiter);
        }

        throw new InvalidOperationException("listing never ended");
    }
}

/// <summary>The order S3 lists in: unsigned bytes of the UTF-8 encoding.</summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y) =>
        Encoding.UTF8.GetBytes(x ?? string.Empty).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? string.Empty));
}
