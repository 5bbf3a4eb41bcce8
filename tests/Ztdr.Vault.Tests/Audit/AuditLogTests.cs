using System.Text;
using Ztdr.Vault.Audit;

namespace Ztdr.Vault.Tests.Audit;

public sealed class AuditLogTests
{
    [Fact]
    public async Task AppendAsync_ManyRecords_ChainVerifies()
    {
        using var folder = new AuditFolder();

        await folder.WriteAsync(500);

        var result = AuditLog.Verify(folder.Directory);
        Assert.True(result.Ok, result.Defect?.ToString());
        Assert.Equal(500, result.Records);
        Assert.Equal(500, folder.ReadLines().Length);
        Assert.Equal(result.HeadHash, AuditLog.Tail(folder.Directory, 1).Single().Hash);
    }

    [Fact]
    public async Task AppendAsync_ReturnsRecordedEventWithItsChainLinks()
    {
        using var folder = new AuditFolder();

        await folder.WriteAsync(3);

        var records = AuditLog.Tail(folder.Directory, 10);
        Assert.Equal([1L, 2L, 3L], records.Select(r => r.Sequence));
        Assert.Equal([AuditFolder.Event(1), AuditFolder.Event(2), AuditFolder.Event(3)], records.Select(r => r.Event));
        Assert.Equal(AuditRecordFormat.GenesisHash, records[0].PreviousHash);
        Assert.Equal(records[0].Hash, records[1].PreviousHash);
        Assert.Equal(records[1].Hash, records[2].PreviousHash);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentFromManyTasks_AllLandConsecutivelyAndVerify()
    {
        using var folder = new AuditFolder();
        const int tasks = 64;
        const int each = 40;

        await using (var log = AuditLog.Open(folder.Directory))
        {
            await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
            {
                for (var i = 0; i < each; i++)
                {
                    await log.AppendAsync(AuditFolder.Event((t * each) + i + 1));
                }
            })));
            Assert.Equal(tasks * each, log.Head.Sequence);
        }

        var result = AuditLog.Verify(folder.Directory);
        Assert.True(result.Ok, result.Defect?.ToString());
        Assert.Equal(tasks * each, result.Records);
        var records = AuditLog.Tail(folder.Directory, tasks * each);
        Assert.Equal(Enumerable.Range(1, tasks * each).Select(n => (long)n), records.Select(r => r.Sequence));
        Assert.Equal(
            Enumerable.Range(1, tasks * each).Select(n => $"request-{n}").Order(StringComparer.Ordinal),
            records.Select(r => r.Event.RequestId!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Open_HeadTemporaryLeftByAPowerLoss_IsDeletedOtherFilesKept()
    {
        // A power loss between creating the head's temporary file and renaming it leaves this (issue 12, power loss).
        using var folder = new AuditFolder();
        await folder.WriteAsync(2);
        var leftover = Path.Combine(folder.Directory, ".head.0123456789abcdef.tmp");
        var notOurs = Path.Combine(folder.Directory, ".head.not-a-temporary.tmp");
        File.WriteAllText(leftover, string.Empty);
        File.WriteAllText(notOurs, "kept");

        await folder.WriteAsync(1, first: 3);

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(notOurs));
        Assert.True(AuditLog.Verify(folder.Directory).Ok);
    }

    [Fact]
    public async Task Open_AfterDispose_ContinuesTheChain()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(3);

        await folder.WriteAsync(2, first: 4);

        var result = AuditLog.Verify(folder.Directory);
        Assert.True(result.Ok, result.Defect?.ToString());
        Assert.Equal(5, result.Records);
        var records = AuditLog.Tail(folder.Directory, 3);
        Assert.Equal([3L, 4L, 5L], records.Select(r => r.Sequence));
        Assert.Equal(records[0].Hash, records[1].PreviousHash);
    }

    [Fact]
    public async Task Open_TornLastLine_TruncatesItAndRecordsTheRecovery()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(3);
        var fragment = "{\"v\":1,\"seq\":4,\"ti"u8.ToArray();
        await using (var file = new FileStream(folder.LogPath, FileMode.Append))
        {
            file.Write(fragment);
        }

        Assert.Equal(AuditDefectKind.TornTail, AuditLog.Verify(folder.Directory).Defect?.Kind);
        var recoveredAt = AuditFolder.Start.AddDays(1);
        await using (var log = AuditLog.Open(folder.Directory, new FixedClock(recoveredAt)))
        {
            Assert.Equal(4, log.Head.Sequence);
            await log.AppendAsync(AuditFolder.Event(5));
        }

        var result = AuditLog.Verify(folder.Directory);
        Assert.True(result.Ok, result.Defect?.ToString());
        Assert.Equal(5, result.Records);
        var recovery = AuditLog.Tail(folder.Directory, 2)[0];
        Assert.Equal(4, recovery.Sequence);
        Assert.Equal(AuditLog.RecoveredTornTailOperation, recovery.Event.Operation);
        Assert.Equal(AuditLog.VaultPrincipal, recovery.Event.Principal);
        Assert.Equal(recoveredAt, recovery.Event.TrustedTime);
        Assert.Equal($"dropped 18 bytes after record 3, sha256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(fragment))}", recovery.Event.Key);
        Assert.StartsWith("{\"v\":1,\"seq\":4,\"time\":\"2025-06-02T12:00:00.0000000Z\",", folder.ReadLines()[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_LogCutToEarlierRecord_RefusesAndLeavesFilesAlone()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(10);
        folder.WriteLines(folder.ReadLines()[..7]);
        var head = File.ReadAllBytes(folder.HeadPath);
        var log = File.ReadAllBytes(folder.LogPath);

        var error = Assert.Throws<AuditLogDamagedException>(() => AuditLog.Open(folder.Directory));

        Assert.Contains("ends at record 7 but the head anchor names record 10", error.Message, StringComparison.Ordinal);
        Assert.Equal(head, File.ReadAllBytes(folder.HeadPath));
        Assert.Equal(log, File.ReadAllBytes(folder.LogPath));
    }

    [Fact]
    public async Task OpenReadOnly_TornTail_WritesNothingAndRefusesAppendsWithTheReason()
    {
        // A vault with no space starts read-only (issue 12, item 2): not one byte written, the torn tail left for the
        // next writable start to recover and record.
        using var folder = new AuditFolder();
        await folder.WriteAsync(3);
        await using (var file = new FileStream(folder.LogPath, FileMode.Append))
        {
            file.Write("{\"v\":1,\"seq\":4"u8);
        }

        var head = File.ReadAllBytes(folder.HeadPath);
        var log = File.ReadAllBytes(folder.LogPath);
        await using (var readOnly = AuditLog.OpenReadOnly(folder.Directory, "no space left at start"))
        {
            Assert.Equal(3, readOnly.Head.Sequence);
            Assert.Contains("no space left at start", readOnly.ReadOnlyReason, StringComparison.Ordinal);
            var refused = await Assert.ThrowsAsync<AuditLogUnavailableException>(() => readOnly.AppendAsync(AuditFolder.Event(4)));
            Assert.True(refused.OutOfSpace);
            Assert.Throws<IOException>(() => AuditLog.Open(folder.Directory));
        }

        Assert.Equal(head, File.ReadAllBytes(folder.HeadPath));
        Assert.Equal(log, File.ReadAllBytes(folder.LogPath));
        await using (var writable = AuditLog.Open(folder.Directory))
        {
            Assert.Null(writable.ReadOnlyReason);
            await writable.AppendAsync(AuditFolder.Event(5));
        }

        Assert.True(AuditLog.Verify(folder.Directory).Ok);
    }

    [Fact]
    public async Task OpenReadOnly_LogCutToEarlierRecord_StillRefuses()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(10);
        folder.WriteLines(folder.ReadLines()[..7]);

        Assert.Throws<AuditLogDamagedException>(() => AuditLog.OpenReadOnly(folder.Directory, "no space"));
    }

    [Fact]
    public async Task Open_HeadOneBatchBehind_AcceptsAndCatchesUp()
    {
        // A crash after the log's fsync and before the head's rename leaves the head one batch behind.
        using var folder = new AuditFolder();
        await folder.WriteAsync(5);
        var third = AuditLog.Tail(folder.Directory, 3)[0];
        File.WriteAllText(folder.HeadPath, $"{{\"v\":1,\"seq\":3,\"hash\":\"{third.Hash}\"}}\n");
        Assert.True(AuditLog.Verify(folder.Directory).Ok);

        await using (var log = AuditLog.Open(folder.Directory))
        {
            Assert.Equal(5, log.Head.Sequence);
        }

        Assert.Contains("\"seq\":5,", File.ReadAllText(folder.HeadPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_HeadContradictsLog_Refuses()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(5);
        File.WriteAllText(folder.HeadPath, $"{{\"v\":1,\"seq\":5,\"hash\":\"{new string('0', 64)}\"}}\n");

        var error = Assert.Throws<AuditLogDamagedException>(() => AuditLog.Open(folder.Directory));

        Assert.Contains("does not have the hash the head anchor names", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_HeadDeletedFromNonEmptyLog_Refuses()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(2);
        File.Delete(folder.HeadPath);

        Assert.Throws<AuditLogDamagedException>(() => AuditLog.Open(folder.Directory));
    }

    [Fact]
    public async Task Open_WhileAnotherInstanceHoldsIt_Refuses()
    {
        using var folder = new AuditFolder();
        await using var first = AuditLog.Open(folder.Directory);

        var error = Assert.Throws<IOException>(() => AuditLog.Open(folder.Directory));

        Assert.Contains("already open", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_NewFolder_FolderAndFilesAreOwnerOnly()
    {
        using var folder = new AuditFolder();

        await folder.WriteAsync(1);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder.Directory));
        foreach (var name in new[] { "log.jsonl", "head", "lock", "space.reserve" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder.Directory, name)));
        }

        Assert.Equal(["head", "lock", "log.jsonl", "space.reserve"], Directory.GetFiles(folder.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_Throws()
    {
        using var folder = new AuditFolder();
        var log = AuditLog.Open(folder.Directory);
        await log.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.AppendAsync(AuditFolder.Event(1)));
    }

    [Fact]
    public async Task AppendAsync_CancelledBeforehand_RecordsNothing()
    {
        using var folder = new AuditFolder();
        await using (var log = AuditLog.Open(folder.Directory))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => log.AppendAsync(AuditFolder.Event(1), new CancellationToken(canceled: true)));
        }

        Assert.Equal(0, AuditLog.Verify(folder.Directory).Records);
    }

    [Fact]
    public async Task AppendAsync_OversizedEvent_IsRefused()
    {
        using var folder = new AuditFolder();
        await using var log = AuditLog.Open(folder.Directory);

        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(AuditFolder.Event(1) with { Key = new string('k', 70_000) }));
    }

    [Fact]
    public async Task AppendAsync_ControlCharactersInKey_StayOnOneLineAndRoundTrip()
    {
        using var folder = new AuditFolder();
        var hostile = AuditFolder.Event(1) with { Key = "a\nb\r\"c\\d\u0000e\u007fé😀" };
        await using (var log = AuditLog.Open(folder.Directory))
        {
            await log.AppendAsync(hostile);
        }

        Assert.Single(folder.ReadLines());
        Assert.Equal(hostile, AuditLog.Tail(folder.Directory, 1).Single().Event);
        Assert.True(AuditLog.Verify(folder.Directory).Ok);
    }

    [Fact]
    public async Task Tail_Count_ReturnsLastRecordsOldestFirstAndSkipsTornFragment()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(30);
        File.AppendAllText(folder.LogPath, "{\"v\":1,", Encoding.UTF8);

        var records = AuditLog.Tail(folder.Directory, 4);

        Assert.Equal([27L, 28L, 29L, 30L], records.Select(r => r.Sequence));
    }

    [Fact]
    public void Tail_MissingFolder_ThrowsDirectoryNotFound()
    {
        using var folder = new AuditFolder();

        Assert.Throws<DirectoryNotFoundException>(() => AuditLog.Tail(folder.Directory, 5));
    }
}
