namespace Ztdr.Assess.Tests;

public sealed class MarkdownReportTests
{
    private static readonly AssessmentReport Report = new(
        new Uri("https://vault.example:9000"),
        "backups",
        "run1",
        "ztdr-assess/run1/",
        new DateTimeOffset(2026, 11, 28, 20, 0, 0, TimeSpan.Zero),
        [
            new ProbeResult(Question.HardenedByDefault, "TLS only", ProbeOutcome.Pass, "endpoint https://vault.example:9000/", "https scheme"),
            new ProbeResult(Question.BackupCredential, "Delete a locked version", ProbeOutcome.Fail, "DeleteObject a|b", "accepted (HTTP 204)", "line one\nline two"),
        ]);

    [Fact]
    public void Write_FailedProbe_VerdictFailAndRowPerProbeUnderItsQuestion()
    {
        var text = MarkdownReport.Write(Report);

        Assert.Contains("- Verdict: **FAIL**: 1 pass, 1 fail, 0 not applicable\n", text, StringComparison.Ordinal);
        Assert.Contains("\n## Hardened by default?\n", text, StringComparison.Ordinal);
        Assert.Contains("\n## Can the backup credential destroy or hide data?\n", text, StringComparison.Ordinal);
        Assert.Contains("| TLS only | pass | endpoint https://vault.example:9000/ | https scheme |  |\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_CellWithPipeAndNewline_StaysInOneCellOnOneRow()
    {
        var text = MarkdownReport.Write(Report);

        Assert.Contains("| Delete a locked version | **FAIL** | DeleteObject a\\|b | accepted (HTTP 204) | line one line two |\n", text, StringComparison.Ordinal);
    }
}
