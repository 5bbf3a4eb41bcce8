using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit.Abstractions;
using Ztdr.Backup.Repository;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Ceph;

/// <summary>
/// The ztdr executable with RGW's backup user on a bucket created with Object Lock: init, backup of a generated tree,
/// restore byte for byte, verify reading every byte, and every object read back from RGW as COMPLIANCE-locked until
/// the run's generation, uploaded in one PUT (no multipart ETag) and refused to the owner's delete.
/// </summary>
public sealed partial class BackupRestoreAgainstRgwTests(CephRgwFixture fixture, ITestOutputHelper output) : RgwCliTest(fixture, "rgw-backup")
{
    [Fact]
    public async Task InitBackupRestoreVerify_GeneratedTree_ByteForByteEveryObjectCompliantUntilTheRunsGeneration()
    {
        output.WriteLine($"cluster started in {Rgw.StartTime.TotalSeconds:F1} s");
        var environment = EnvironmentFor(Prefix);
        var source = CreateTree(Scratch.Combine("data"), seed: 11);
        var policy = LockPolicy.For(TimeSpan.FromDays(1));
        var earliest = policy.RetainUntilForRunAt(DateTimeOffset.UtcNow);

        var init = await CliProcess.RunAsync(environment, "init", "--retention", "1d");
        Assert.True(init.ExitCode == 0, init.ToString());
        var printed = DateTimeOffset.ParseExact(LockedUntil().Match(init.StandardOutput).Groups[1].Value, "yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        var backup = await CliProcess.RunAsync(environment, "backup", "--json", source);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        using (var summary = JsonDocument.Parse(backup.StandardOutput))
        {
            // 120 small files, the large one, its duplicate and the zeros; the symlink is not a file.
            Assert.Equal(123, summary.RootElement.GetProperty("files").GetInt64());
            Assert.Empty(summary.RootElement.GetProperty("errors").EnumerateArray());
        }

        var latest = policy.RetainUntilForRunAt(DateTimeOffset.UtcNow);
        var target = Scratch.Combine("restored");
        var restore = await CliProcess.RunAsync(EnvironmentFor(Prefix, CephRgwProcess.ReaderProfile), "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var diff = await DiffAsync(source, BackedUpPath.Under(target, source));
        Assert.True(diff.ExitCode == 0, diff.ToString());

        var verify = await CliProcess.RunAsync(EnvironmentFor(Prefix, CephRgwProcess.ReaderProfile), "verify", "--read-data", "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        using (var report = JsonDocument.Parse(verify.StandardOutput))
        {
            Assert.Equal(0, report.RootElement.GetProperty("errors").GetInt32());
            Assert.True(report.RootElement.GetProperty("lockCoverageChecked").GetBoolean());
            Assert.Equal(report.RootElement.GetProperty("packs").GetInt32(), report.RootElement.GetProperty("packsRead").GetInt32());
        }

        // What RGW itself reports, object by object: COMPLIANCE until the generation init printed (the next one only
        // if the run straddled a generation boundary), one single PUT each, and the owner's delete refused.
        Assert.Contains(printed, new[] { earliest, latest });
        var objects = await ListAsync(Prefix);
        Assert.Contains(objects, o => o.Key == $"{Prefix}/config");
        Assert.Contains(objects, o => o.Key.StartsWith($"{Prefix}/data/", StringComparison.Ordinal));
        Assert.Contains(objects, o => o.Key.StartsWith($"{Prefix}/snapshots/", StringComparison.Ordinal));
        using var admin = Rgw.CreateClient(CephRgwProcess.AdminProfile);
        foreach (var item in objects)
        {
            var retention = (await admin.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = CephRgwProcess.LockBucket, Key = item.Key })).Retention;
            Assert.Equal(ObjectLockRetentionMode.Compliance, retention.Mode);
            Assert.Contains(new DateTimeOffset(DateTime.SpecifyKind(retention.RetainUntilDate!.Value, DateTimeKind.Utc)), new[] { earliest, latest });
            Assert.DoesNotContain('-', item.ETag);
        }

        var pack = objects.First(o => o.Key.StartsWith($"{Prefix}/data/", StringComparison.Ordinal)).Key;
        var version = (await admin.GetObjectMetadataAsync(CephRgwProcess.LockBucket, pack)).VersionId;
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => admin.DeleteObjectAsync(new DeleteObjectRequest { BucketName = CephRgwProcess.LockBucket, Key = pack, VersionId = version }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var backupKey = Rgw.CreateClient(CephRgwProcess.BackupProfile);
        refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => backupKey.DeleteObjectAsync(new DeleteObjectRequest { BucketName = CephRgwProcess.LockBucket, Key = pack, VersionId = version }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [GeneratedRegex(@"locked \(COMPLIANCE\) until (\S+ \S+Z)")]
    private static partial Regex LockedUntil();
}
