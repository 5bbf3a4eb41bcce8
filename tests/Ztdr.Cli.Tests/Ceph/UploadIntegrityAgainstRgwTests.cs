using Ztdr.Backup.Stores;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Ceph;

/// <summary>
/// RGW 16.2 with ztdr's default settings: an upload carries its digests as headers, no SDK trailer, and RGW checks the
/// bytes it received against Content-MD5 (it predates the x-amz-checksum-* headers, which it ignores).
/// </summary>
public sealed class UploadIntegrityAgainstRgwTests(CephRgwFixture fixture) : RgwCliTest(fixture, "rgw-digest")
{
    [Fact]
    public async Task PutNew_BodyAlteredAfterItsDigests_RgwRefusesItWithBadDigest()
    {
        using var store = CreateStore();
        var data = new byte[300_000];
        new Random(44).NextBytes(data);
        var body = new AlteredOnResendStream(data, flipAt: 200_001);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutNewAsync("data/44/x", body, DateTimeOffset.UtcNow.AddDays(1)));

        Assert.True(body.ResentAltered);
        Assert.Equal(StoreErrorKind.Rejected, error.Kind);
        Assert.Contains("BadDigest", error.Message, StringComparison.Ordinal);
        Assert.False(await store.ExistsAsync("data/44/x"));

        // The same bytes, unaltered, are stored and read back whole.
        await store.PutNewAsync("data/44/x", data.AsMemory(), DateTimeOffset.UtcNow.AddDays(1));
        await using var stored = await store.GetAsync("data/44/x");
        var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }

    private S3ObjectStore CreateStore() => new(new S3StoreOptions
    {
        Endpoint = new Uri(Rgw.Endpoint),
        Bucket = CephRgwProcess.LockBucket,
        Prefix = Prefix,
        CredentialsFile = Rgw.CredentialsFile,
        Profile = CephRgwProcess.BackupProfile,
    });
}
