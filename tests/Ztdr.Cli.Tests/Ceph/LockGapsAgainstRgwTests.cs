using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Ceph;

/// <summary>
/// Where RGW 16.2.15 accepts a request and does not do what it says, and how ztdr refuses to be fooled: lock headers
/// on a multipart upload are dropped (ztdr never uploads in parts); If-None-Match on PUT is ignored; a retain-until
/// past 2106-02-07 wraps to the 1970s and init's read-back refuses it; a bucket without Object Lock is refused; and a
/// repository whose objects lost their locks (mirrored by a tool that uploads in parts) fails verify naming every
/// object.
/// </summary>
public sealed class LockGapsAgainstRgwTests(CephRgwFixture fixture) : RgwCliTest(fixture, "rgw-gaps")
{
    [Fact]
    public async Task MultipartUpload_WithComplianceLockHeaders_RgwLocksNothingAndTheOwnerDeletesIt()
    {
        using var backup = Rgw.CreateClient(CephRgwProcess.BackupProfile);
        using var admin = Rgw.CreateClient(CephRgwProcess.AdminProfile);
        var until = DateTime.UtcNow.AddDays(1);
        var single = await backup.PutObjectAsync(new PutObjectRequest
        {
            BucketName = CephRgwProcess.LockBucket,
            Key = $"{Prefix}/single",
            ContentBody = "one PUT",
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = until,
        });

        var multipart = await UploadInOnePartAsync(backup, $"{Prefix}/multipart", "x"u8.ToArray(), until);

        // The single PUT is locked and its deletion refused, even to the bucket's owner.
        var locked = await admin.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = CephRgwProcess.LockBucket, Key = $"{Prefix}/single" });
        Assert.Equal(ObjectLockRetentionMode.Compliance, locked.Retention.Mode);
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => admin.DeleteObjectAsync(new DeleteObjectRequest { BucketName = CephRgwProcess.LockBucket, Key = $"{Prefix}/single", VersionId = single.VersionId }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // The multipart upload asked for the same lock in CreateMultipartUpload, was accepted, and holds none.
        var none = await Assert.ThrowsAsync<AmazonS3Exception>(() => admin.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = CephRgwProcess.LockBucket, Key = $"{Prefix}/multipart" }));
        Assert.Equal("ObjectLockConfigurationNotFoundError", none.ErrorCode);
        var head = await admin.GetObjectMetadataAsync(CephRgwProcess.LockBucket, $"{Prefix}/multipart");
        Assert.Null(head.ObjectLockMode?.Value);
        await admin.DeleteObjectAsync(new DeleteObjectRequest { BucketName = CephRgwProcess.LockBucket, Key = $"{Prefix}/multipart", VersionId = multipart });
        var versions = await admin.ListVersionsAsync(new ListVersionsRequest { BucketName = CephRgwProcess.LockBucket, Prefix = $"{Prefix}/multipart" });
        Assert.Empty(versions.Versions ?? []);
    }

    [Fact]
    public async Task PutObject_IfNoneMatchOverAnExistingKey_RgwWritesANewVersionAndTheLockedOneStays()
    {
        using var backup = Rgw.CreateClient(CephRgwProcess.BackupProfile);
        var key = $"{Prefix}/write-once";
        var until = DateTime.UtcNow.AddDays(1);
        var first = await backup.PutObjectAsync(new PutObjectRequest
        {
            BucketName = CephRgwProcess.LockBucket,
            Key = key,
            ContentBody = "first",
            IfNoneMatch = "*",
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = until,
        });

        // S3 answers 412 PreconditionFailed here; RGW 16.2.15 ignores the condition and stacks a new version. ztdr
        // never reuses a name for other bytes, and the first version stays locked and readable by its version id.
        var second = await backup.PutObjectAsync(new PutObjectRequest { BucketName = CephRgwProcess.LockBucket, Key = key, ContentBody = "second", IfNoneMatch = "*" });

        Assert.NotEqual(first.VersionId, second.VersionId);
        var versions = await backup.ListVersionsAsync(new ListVersionsRequest { BucketName = CephRgwProcess.LockBucket, Prefix = key });
        Assert.Equal(2, versions.Versions.Count);
        using var original = await backup.GetObjectAsync(new GetObjectRequest { BucketName = CephRgwProcess.LockBucket, Key = key, VersionId = first.VersionId });
        Assert.Equal("first", await new StreamReader(original.ResponseStream).ReadToEndAsync());
        Assert.Equal(ObjectLockMode.Compliance, original.ObjectLockMode);
    }

    [Fact]
    public async Task Init_BucketWithoutObjectLock_RefusedInOneLineAndNoRepositoryLeft()
    {
        var environment = EnvironmentFor(Prefix, bucket: CephRgwProcess.PlainBucket);

        var init = await CliProcess.RunAsync(environment, "init", "--retention", "1d");

        Assert.True(init.ExitCode == 1, init.ToString());
        Assert.Matches("^ztdr: rejected by storage: object 'keys/[0-9a-f]{64}': rejected by the store \\(InvalidRequest\\)\\n$", init.StandardError);
        Assert.Empty(await ListAsync(Prefix, CephRgwProcess.PlainBucket));
        var open = await CliProcess.RunAsync(environment, "snapshots");
        Assert.True(open.ExitCode == 1, open.ToString());
        Assert.StartsWith("ztdr: not found: There is no ztdr repository here", open.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_RetentionPast2106_RgwWrapsTheDateAndInitRefusesAfterReadingItBack()
    {
        var environment = EnvironmentFor(Prefix);

        // 85 years from 2026 ends after 2106-02-07T06:28:15Z, the last second 32 unsigned bits hold.
        var init = await CliProcess.RunAsync(environment, "init", "--retention", "85y");

        Assert.True(init.ExitCode == 1, init.ToString());
        Assert.Matches(
            "^ztdr: rejected by storage: the store accepted object 'keys/[0-9a-f]{64}' with COMPLIANCE retention until 21[0-9]{2}-[-0-9T:]+Z but reports COMPLIANCE until 19[0-9]{2}-[-0-9T:]+Z; it does not lock what it is asked to, so no repository was created [^\\n]*\\n$",
            init.StandardError);
        var objects = await ListAsync(Prefix);
        Assert.DoesNotContain(objects, o => o.Key == $"{Prefix}/config");

        // The location stays usable: a retention RGW can hold creates the repository there.
        var retry = await CliProcess.RunAsync(environment, "init", "--retention", "1d");
        Assert.True(retry.ExitCode == 0, retry.ToString());
    }

    [Fact]
    public async Task Verify_RepositoryMirroredByMultipartUploads_EveryObjectLockNotCoveringExitOne()
    {
        // Two files are enough: what matters is every kind of object (config, key, index, pack, snapshot).
        var source = Scratch.Combine("data");
        Directory.CreateDirectory(source);
        var random = new byte[200 * 1024];
        new Random(37).NextBytes(random);
        await File.WriteAllBytesAsync(Path.Combine(source, "random.bin"), random);
        await File.WriteAllTextAsync(Path.Combine(source, "note.txt"), "mirrored without locks");
        var original = EnvironmentFor(Prefix + "-original");
        Assert.Equal(0, (await CliProcess.RunAsync(original, "init", "--retention", "1d")).ExitCode);
        var backup = await CliProcess.RunAsync(original, "backup", source);
        Assert.True(backup.ExitCode == 0, backup.ToString());

        // A mirror made the way large-object tools copy (multipart), asking RGW for the same COMPLIANCE lock per object.
        using var admin = Rgw.CreateClient(CephRgwProcess.AdminProfile);
        using var writer = Rgw.CreateClient(CephRgwProcess.BackupProfile);
        var objects = await ListAsync(Prefix + "-original");
        foreach (var item in objects)
        {
            var retention = await admin.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = CephRgwProcess.LockBucket, Key = item.Key });
            using var response = await admin.GetObjectAsync(CephRgwProcess.LockBucket, item.Key);
            using var bytes = new MemoryStream();
            await response.ResponseStream.CopyToAsync(bytes);
            await UploadInOnePartAsync(writer, Prefix + "-mirror" + item.Key[(Prefix + "-original").Length..], bytes.ToArray(), retention.Retention.RetainUntilDate!.Value);
        }

        var mirror = EnvironmentFor(Prefix + "-mirror", CephRgwProcess.ReaderProfile);
        var verify = await CliProcess.RunAsync(mirror, "verify", "--json");

        Assert.True(verify.ExitCode == 1, verify.ToString());
        using var report = JsonDocument.Parse(verify.StandardOutput);
        Assert.True(report.RootElement.GetProperty("lockCoverageChecked").GetBoolean());
        var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.All(findings, f => Assert.Equal("lock-not-covering", f.GetProperty("kind").GetString()));
        Assert.All(findings, f => Assert.StartsWith("has no retention at all; snapshots need COMPLIANCE until ", f.GetProperty("detail").GetString(), StringComparison.Ordinal));
        var named = findings.Select(f => f.GetProperty("object").GetString()!).ToList();
        Assert.Contains("config", named);
        Assert.Contains(named, n => n.StartsWith("keys/", StringComparison.Ordinal));
        Assert.Contains(named, n => n.StartsWith("snapshots/", StringComparison.Ordinal));
        Assert.Equal(report.RootElement.GetProperty("packs").GetInt32(), named.Count(n => n.StartsWith("data/", StringComparison.Ordinal)));

        // The bytes are all there (restore works); only the locks are missing, and only verify says so.
        var restore = await CliProcess.RunAsync(mirror, "restore", "latest", "--target", Scratch.Combine("restored"));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var diff = await DiffAsync(source, BackedUpPath.Under(Scratch.Combine("restored"), source));
        Assert.True(diff.ExitCode == 0, diff.ToString());
    }

    /// <summary>CreateMultipartUpload with COMPLIANCE lock headers, one part, complete; returns the version id.</summary>
    private static async Task<string> UploadInOnePartAsync(AmazonS3Client client, string key, byte[] content, DateTime retainUntil)
    {
        var upload = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = CephRgwProcess.LockBucket,
            Key = key,
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = retainUntil,
        });
        var part = await client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = CephRgwProcess.LockBucket,
            Key = key,
            UploadId = upload.UploadId,
            PartNumber = 1,
            InputStream = new MemoryStream(content),
        });
        var done = await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = CephRgwProcess.LockBucket,
            Key = key,
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, part.ETag)],
        });
        return done.VersionId;
    }
}
