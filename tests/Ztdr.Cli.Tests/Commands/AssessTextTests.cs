using Ztdr.Assess;
using Ztdr.Cli.Commands;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>The text report of <c>assess</c>: every line fits 100 columns, and wrapping keeps the words of the evidence whole.</summary>
public sealed class AssessTextTests
{
    [Fact]
    public async Task WriteText_LongestEvidenceAndNotes_EveryLineFits100Columns_WordsKeptWhole()
    {
        // The probes' own longest requests, evidence and notes (Assessor, LimitProbes, DestructiveProbes, Canary).
        var report = new AssessmentReport(
            new Uri("https://vault.example:9000/"),
            "backups",
            "20261207T191300Z-0123abcd",
            "ztdr-assess/20261207T191300Z-0123abcd/",
            new DateTimeOffset(2026, 12, 7, 19, 13, 0, TimeSpan.Zero),
            [
                new ProbeResult(Question.HardenedByDefault, "Bucket settings left as found", ProbeOutcome.Pass, "GetBucketVersioning, GetObjectLockConfiguration, GetBucketLifecycleConfiguration, GetBucketPolicy before and after", "versioning Enabled; object lock Enabled COMPLIANCE 7 days; lifecycle none; policy none"),
                new ProbeResult(Question.HardenedByDefault, "Anonymous GET refused", ProbeOutcome.Pass, "unsigned GET /backups/ztdr-assess/20261207T191300Z-0123abcd/round-trip", "refused: HTTP 403 AccessDenied"),
                new ProbeResult(Question.HardenedByDefault, "Server clock within 5 minutes", ProbeOutcome.Pass, "unsigned GET /backups?list-type=2", "server Date 2026-12-07 19:13:00Z, local 2026-12-07 19:13:01Z, skew -1 s"),
                new ProbeResult(Question.BackupCredential, "Quota on locked data", ProbeOutcome.Fail, "presigned HEAD /backups", "no quota reported", "one stolen key can fill the target with locked data; if the server enforces a quota it does not report, check it by other means"),
                new ProbeResult(Question.BackupCredential, "Lifecycle rule expiring versions", ProbeOutcome.Pass, "PutBucketLifecycleConfiguration Expiration 1 d + NoncurrentVersionExpiration 1 d on the canary prefix", "HTTP 200 with error AccessDenied: no key deleted"),
                new ProbeResult(Question.WorksWithoutBackupSoftware, "PutObject/GetObject with Object Lock headers", ProbeOutcome.Pass, "PutObject COMPLIANCE then GetObject ztdr-assess/20261207T191300Z-0123abcd/round-trip?versionId=0123456789abcdef0123456789abcdef", "PUT accepted (HTTP 200); GET accepted (HTTP 200), 64 bytes, x-amz-object-lock-mode COMPLIANCE"),
            ]);
        var test = new TestContext();

        // A word wider than any column could be (a canary's key and version id) is cut; every shorter word stays whole.
        const int CutWords = 60;

        await AssessCommand.WriteTextAsync(test.Context, report);

        var lines = test.Out.ToString().Split('\n');
        Assert.All(lines, line => Assert.True(line.Length <= AssessCommand.MaxWidth, $"{line.Length} columns: {line}"));
        var words = test.Out.ToString().Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        foreach (var result in report.Results)
        {
            var evidence = result.Note is null ? result.Evidence : $"{result.Evidence} ({result.Note})";
            Assert.All($"{result.Probe} {evidence} {result.Request}".Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length < CutWords), word => Assert.Contains(word, words));
        }
    }

    [Fact]
    public void Wrap_AtSpaces_LongWordCut()
    {
        Assert.Equal(["one two", "three"], PlainTable.Wrap("one two three", 8));
        Assert.Equal(["abcdefgh", "ij k"], PlainTable.Wrap("abcdefghij k", 8));
        Assert.Equal([""], PlainTable.Wrap("", 8));
    }

    [Fact]
    public void Lines_FitsAlready_SameAsUnwrapped()
    {
        string[] header = ["A", "B"];
        IReadOnlyList<string>[] rows = [["x", "y z"]];

        Assert.Equal(PlainTable.Lines(header, rows), PlainTable.Lines(header, rows, 100));
    }
}
