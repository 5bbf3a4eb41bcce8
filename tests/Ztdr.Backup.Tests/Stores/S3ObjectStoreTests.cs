using Ztdr.Backup.Stores;
using Ztdr.Testing;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>
/// The conformance suite against a real ztdr-vault: writes with the backup key (which holds no delete permission),
/// deletes with the maintenance key, so the vault itself enforces what the port promises.
/// </summary>
public sealed class S3ObjectStoreTests : ObjectStoreConformance, IClassFixture<VaultFixture>, IDisposable
{
    private readonly VaultFixture _fixture;
    private readonly string _prefix = "t-" + Guid.NewGuid().ToString("N")[..12] + "/";
    private readonly S3ObjectStore _backup;
    private readonly S3ObjectStore _maintenance;

    public S3ObjectStoreTests(VaultFixture fixture)
    {
        _fixture = fixture;
        _backup = fixture.CreateStore("backup", _prefix);
        _maintenance = fixture.CreateStore("maintenance", _prefix);
    }

    protected override IObjectStore Store => _backup;

    protected override IObjectStore PruneStore => _maintenance;

    protected override DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    protected override bool ExpectedImmutable => true;

    [Fact]
    public async Task ListVersions_NameOverwrittenAndHidden_ListsMarkerThenVersionsNewestFirstAndReadsEach()
    {
        // What a stolen key does to a name where nothing stops it (issue 11): a plain PUT over it, then a DELETE that
        // leaves a marker. Init's bucket refuses the PUT (write-once names), so this plays it in a bucket made with
        // CreateBucket, as on any S3 with Object Lock.
        var bucket = "plain-" + Guid.NewGuid().ToString("N")[..8];
        using var client = _fixture.Vault.CreateClient();
        await client.PutBucketAsync(new Amazon.S3.Model.PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = true });
        using var store = _fixture.CreateStore(VaultProcess.AllRolesProfile, _prefix, bucket);
        var original = Bytes(30, 44);
        await store.PutNewAsync("config", original.AsMemory(), Future(TimeSpan.FromDays(1)), Ct);
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = _prefix + "config", ContentBody = "garbage" });
        await client.DeleteObjectAsync(bucket, _prefix + "config");

        var versions = new List<ObjectVersion>();
        await foreach (var version in store.ListVersionsAsync("config", Ct))
        {
            versions.Add(version);
        }

        Assert.Equal([true, false, false], versions.Select(v => v.IsDeleteMarker));
        Assert.Equal([7L, 30L], versions.Skip(1).Select(v => v.Size));
        Assert.False(await store.ExistsAsync("config", Ct));
        await using var stream = await store.GetVersionAsync("config", versions[2].VersionId, cancellationToken: Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        Assert.Equal(original, buffer.ToArray());
        Assert.Equal(RetentionMode.Compliance, (await store.GetVersionRetentionAsync("config", versions[2].VersionId, Ct))!.Mode);
    }

    [Fact]
    public async Task Delete_LockedObjectWithBackupKey_IsDeniedByTheVault()
    {
        var data = Bytes(10, 40);
        await _backup.PutNewAsync("data/30/x", data.AsMemory(), Future(TimeSpan.FromDays(1)), Ct);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => _backup.DeleteAsync("data/30/x", Ct));

        Assert.Equal(StoreErrorKind.AccessDenied, error.Kind);
        Assert.Equal(data, await ReadAllAsync("data/30/x"));
    }

    [Fact]
    public async Task Delete_UnlockedObjectWithBackupKey_IsDenied()
    {
        // The backup credential never needs, and never has, the power to destroy a version.
        await _backup.PutNewAsync("data/31/x", Bytes(10, 41).AsMemory(), null, Ct);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => _backup.DeleteAsync("data/31/x", Ct));

        Assert.Equal(StoreErrorKind.AccessDenied, error.Kind);
        Assert.True(await _backup.ExistsAsync("data/31/x", Ct));
    }

    [Fact]
    public async Task Delete_LockedObjectWithAllRolesKey_IsDenied()
    {
        using var all = _fixture.CreateStore("all", _prefix);
        await _backup.PutNewAsync("data/32/x", Bytes(10, 42).AsMemory(), Future(TimeSpan.FromDays(1)), Ct);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => all.DeleteAsync("data/32/x", Ct));

        Assert.Equal(StoreErrorKind.AccessDenied, error.Kind);
    }

    [Fact]
    public async Task Delete_ExpiredRetentionWithMaintenanceKey_RemovesIt()
    {
        // The vault's clock cannot be moved from here, so this one waits out a short lock. Its trusted clock does not
        // count the time between init and serve, so it runs a little behind ours: poll until the vault agrees.
        // On a loaded machine the request can reach the vault after a 2 s date has passed (Rejected, nothing stored):
        // then ask again with a date from the new now, instead of failing on the machine's speed.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _backup.PutNewAsync("data/33/x", Bytes(10, 43).AsMemory(), Future(TimeSpan.FromSeconds(2)), Ct);
                break;
            }
            catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.Rejected && attempt < 20)
            {
                // Nothing was stored: the date passed while the request was in flight.
                continue;
            }
        }

        var deadline = Now + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await _maintenance.DeleteAsync("data/33/x", Ct);
                break;
            }
            catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.AccessDenied && Now < deadline)
            {
                await Task.Delay(250, Ct);
            }
        }

        Assert.False(await _backup.ExistsAsync("data/33/x", Ct));
    }

    [Fact]
    public async Task PutNew_BodyAlteredAfterItsDigests_IsRefusedByTheVault()
    {
        // The digests ztdr sends as headers are checked by the server against the bytes it received: a body altered
        // between the two (in transit, in effect) is refused and nothing is stored under the name.
        var body = new AlteredOnResendStream(Bytes(300_000, 43), flipAt: 123_456);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => _backup.PutNewAsync("data/34/x", body, Future(TimeSpan.FromDays(1)), Ct));

        Assert.True(body.ResentAltered);
        Assert.Equal(StoreErrorKind.Rejected, error.Kind);
        Assert.Contains("BadDigest", error.Message, StringComparison.Ordinal);
        Assert.False(await _backup.ExistsAsync("data/34/x", Ct));
    }

    [Fact]
    public void Constructor_UnknownProfile_ThrowsAccessDenied()
    {
        var error = Assert.Throws<ObjectStoreException>(() => _fixture.CreateStore("nobody", _prefix));

        Assert.Equal(StoreErrorKind.AccessDenied, error.Kind);
        Assert.Contains("[nobody]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_MissingBucket_ThrowsNotFound()
    {
        using var store = new S3ObjectStore(new S3StoreOptions
        {
            Endpoint = new Uri(_fixture.Vault.Endpoint),
            Bucket = "no-such-bucket",
            CredentialsFile = _fixture.Vault.CredentialsFile,
            Profile = "backup",
            CaBundle = _fixture.Vault.CaBundle,
        });

        var error = await Assert.ThrowsAsync<ObjectStoreException>(async () =>
        {
            await foreach (var item in store.ListAsync(string.Empty, Ct))
            {
                Assert.Fail("listed " + item.Name);
            }
        });

        Assert.True(error.Kind is StoreErrorKind.NotFound or StoreErrorKind.AccessDenied, error.Message);
    }

    [Fact]
    public async Task Get_ServerCertificateNotFromCaBundle_ThrowsUnavailable()
    {
        // A bundle holding some other CA must not let the vault's certificate through: trust is that bundle, only.
        var otherCa = Path.Combine(Path.GetTempPath(), "ztdr-tests", "other-ca-" + Guid.NewGuid().ToString("N") + ".crt");
        Directory.CreateDirectory(Path.GetDirectoryName(otherCa)!);
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=other", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
            using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(otherCa, ca.ExportCertificatePem(), Ct);
        }

        try
        {
            using var store = new S3ObjectStore(new S3StoreOptions
            {
                Endpoint = new Uri(_fixture.Vault.Endpoint),
                Bucket = "backups",
                CredentialsFile = _fixture.Vault.CredentialsFile,
                Profile = "backup",
                CaBundle = otherCa,
                MaxRetries = 0,
            });

            var error = await Assert.ThrowsAsync<ObjectStoreException>(() => store.ExistsAsync("anything", Ct));

            Assert.Equal(StoreErrorKind.Unavailable, error.Kind);
        }
        finally
        {
            File.Delete(otherCa);
        }
    }

    public void Dispose()
    {
        _backup.Dispose();
        _maintenance.Dispose();
    }
}
