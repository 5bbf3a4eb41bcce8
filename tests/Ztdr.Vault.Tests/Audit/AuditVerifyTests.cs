using System.Text;
using System.Text.RegularExpressions;
using Ztdr.Vault.Audit;

namespace Ztdr.Vault.Tests.Audit;

/// <summary>Every way of tampering with the log, or of losing part of it, is reported at the first bad record.</summary>
public sealed class AuditVerifyTests
{
    private const int Count = 10;

    [Theory]
    [InlineData("seq", "7")]
    [InlineData("time", "\"2025-06-01T12:00:06.0000000Z\"")]
    [InlineData("principal", "\"AKIDMALLORY\"")]
    [InlineData("operation", "\"GetObject\"")]
    [InlineData("bucket", "\"other-bucket\"")]
    [InlineData("key", "null")]
    [InlineData("versionId", "\"version-4\"")]
    [InlineData("outcome", "\"denied:AccessDenied\"")]
    [InlineData("source", "\"198.51.100.7\"")]
    [InlineData("requestId", "\"request-x\"")]
    [InlineData("prev", "\"0000000000000000000000000000000000000000000000000000000000000000\"")]
    [InlineData("hash", "\"0000000000000000000000000000000000000000000000000000000000000000\"")]
    public async Task Verify_MiddleRecordFieldEdited_ReportsEditedAtThatRecord(string field, string value)
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        var lines = folder.ReadLines();
        lines[4] = ReplaceField(lines[4], field, value);
        folder.WriteLines(lines);

        var result = AuditLog.Verify(folder.Directory);

        AssertDefect(result, AuditDefectKind.Edited, 5);
        Assert.Equal(4, result.Records);
    }

    [Fact]
    public async Task Verify_MiddleRecordEditedAndRehashed_ReportsBrokenChainAtTheNextRecord()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        var lines = folder.ReadLines();
        var original = AuditLog.Tail(folder.Directory, Count)[4];
        var forged = AuditRecordFormat.Create(5, original.PreviousHash, original.Event with { Principal = "AKIDMALLORY" }).Line;
        lines[4] = Encoding.UTF8.GetString(forged).TrimEnd('\n');
        folder.WriteLines(lines);

        AssertDefect(AuditLog.Verify(folder.Directory), AuditDefectKind.ChainBroken, 6);
    }

    [Fact]
    public async Task Verify_LineDeleted_ReportsRemovedRecord()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        var lines = folder.ReadLines().ToList();
        lines.RemoveAt(4);
        folder.WriteLines(lines);

        var result = AuditLog.Verify(folder.Directory);

        AssertDefect(result, AuditDefectKind.Removed, 5);
        Assert.Contains("record 5 is missing", result.Defect!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TwoLinesSwapped_ReportsReorderedAtTheFirst()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        var lines = folder.ReadLines();
        (lines[3], lines[4]) = (lines[4], lines[3]);
        folder.WriteLines(lines);

        AssertDefect(AuditLog.Verify(folder.Directory), AuditDefectKind.Reordered, 4);
    }

    [Fact]
    public async Task Verify_LineDuplicated_ReportsReorderedAtTheCopy()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        var lines = folder.ReadLines().ToList();
        lines.Insert(5, lines[4]);
        folder.WriteLines(lines);

        AssertDefect(AuditLog.Verify(folder.Directory), AuditDefectKind.Reordered, 6);
    }

    [Fact]
    public async Task Verify_TailCutToEarlierRecord_ReportsTailCutAfterTheLastKept()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        folder.WriteLines(folder.ReadLines()[..7]);

        var result = AuditLog.Verify(folder.Directory);

        AssertDefect(result, AuditDefectKind.TailCut, 8);
        Assert.Equal(7, result.Records);
    }

    [Fact]
    public async Task Verify_LogFileDeleted_ReportsTailCutAtFirstRecord()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        File.Delete(folder.LogPath);

        AssertDefect(AuditLog.Verify(folder.Directory), AuditDefectKind.TailCut, 1);
    }

    [Fact]
    public async Task Verify_GarbageLineAppended_ReportsUnparsableAfterTheLastRecord()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        File.AppendAllText(folder.LogPath, "{\"v\":1,\"seq\":11,\"note\":\"hello\"}\n");

        AssertDefect(AuditLog.Verify(folder.Directory), AuditDefectKind.Unparsable, 11);
    }

    [Fact]
    public async Task Verify_GarbageWithoutLineFeedAppended_ReportsTornTail()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        File.AppendAllText(folder.LogPath, "garbage");

        AssertDefect(AuditLog.Verify(folder.Directory), AuditDefectKind.TornTail, 11);
    }

    [Fact]
    public async Task Verify_NonCanonicalSpellingOfSameRecord_ReportsUnparsable()
    {
        // Same JSON value, different bytes: a record has exactly one valid form.
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        var lines = folder.ReadLines();
        lines[2] = lines[2].Replace("{\"v\":1,", "{ \"v\":1,", StringComparison.Ordinal);
        folder.WriteLines(lines);

        AssertDefect(AuditLog.Verify(folder.Directory), AuditDefectKind.Unparsable, 3);
    }

    [Fact]
    public async Task Verify_HeadAnchorDeleted_ReportsHeadMissing()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        File.Delete(folder.HeadPath);

        var result = AuditLog.Verify(folder.Directory);

        Assert.Equal(AuditDefectKind.HeadMissing, result.Defect?.Kind);
    }

    [Fact]
    public async Task Verify_HeadAnchorWithOtherHash_ReportsHeadMismatchAtItsRecord()
    {
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        File.WriteAllText(folder.HeadPath, $"{{\"v\":1,\"seq\":10,\"hash\":\"{new string('a', 64)}\"}}\n");

        AssertDefect(AuditLog.Verify(folder.Directory), AuditDefectKind.HeadMismatch, 10);
    }

    [Fact]
    public async Task Verify_WholeLogRewrittenConsistently_IsNotDetectable()
    {
        // The documented limit: with write access to the whole folder, a consistent rewrite verifies. Only a head hash
        // recorded elsewhere (audit tail prints it) exposes it.
        using var folder = new AuditFolder();
        await folder.WriteAsync(Count);
        var honestHead = AuditLog.Verify(folder.Directory).HeadHash;
        foreach (var name in Directory.GetFiles(folder.Directory))
        {
            File.Delete(name);
        }

        await folder.WriteAsync(Count, first: 100);

        var result = AuditLog.Verify(folder.Directory);
        Assert.True(result.Ok);
        Assert.NotEqual(honestHead, result.HeadHash);
    }

    [Fact]
    public void Verify_EmptyFolder_IsOkWithNoRecords()
    {
        using var folder = new AuditFolder();
        Directory.CreateDirectory(folder.Directory);

        var result = AuditLog.Verify(folder.Directory);

        Assert.True(result.Ok);
        Assert.Equal(0, result.Records);
        Assert.Equal(AuditRecordFormat.GenesisHash, result.HeadHash);
    }

    private static void AssertDefect(AuditVerification result, AuditDefectKind kind, long sequence)
    {
        Assert.False(result.Ok);
        Assert.Equal(kind, result.Defect!.Kind);
        Assert.Equal(sequence, result.Defect.Sequence);
        Assert.Equal(sequence, result.Defect.Line);
    }

    private static string ReplaceField(string line, string field, string value)
    {
        var pattern = new Regex($"\"{field}\":(\"[^\"]*\"|null|[0-9]+)");
        Assert.Single(pattern.Matches(line));
        var edited = pattern.Replace(line, $"\"{field}\":{value}");
        Assert.NotEqual(line, edited);
        return edited;
    }
}
