using System.Globalization;
using System.Text;

namespace Ztdr.Assess;

/// <summary>The report as Markdown a reviewer can file: a verdict, then one table per question with the evidence.</summary>
public static class MarkdownReport
{
    public static string Write(AssessmentReport report)
    {
        var text = new StringBuilder();
        text.Append("# ztdr assess: ").Append(report.Endpoint).Append(" bucket `").Append(report.Bucket).Append("`\n\n");
        text.Append(CultureInfo.InvariantCulture, $"- Run: `{report.RunId}`, started {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z\n");
        text.Append(CultureInfo.InvariantCulture, $"- Canaries: `{report.CanaryPrefix}` (written by the assessment, COMPLIANCE-locked briefly)\n");
        text.Append(CultureInfo.InvariantCulture, $"- Verdict: **{(report.HasFailures ? "FAIL" : "PASS")}**: {report.Count(ProbeOutcome.Pass)} pass, {report.Count(ProbeOutcome.Fail)} fail, {report.Count(ProbeOutcome.NotApplicable)} not applicable\n");
        foreach (var group in report.Results.GroupBy(r => r.Question).OrderBy(g => g.Key))
        {
            text.Append("\n## ").Append(AssessmentReport.Title(group.Key)).Append("\n\n");
            text.Append("| Probe | Result | Request | Evidence | Note |\n|---|---|---|---|---|\n");
            foreach (var result in group)
            {
                text.Append("| ").Append(Cell(result.Probe))
                    .Append(" | ").Append(result.Outcome == ProbeOutcome.Fail ? "**FAIL**" : AssessmentReport.Text(result.Outcome))
                    .Append(" | ").Append(Cell(result.Request))
                    .Append(" | ").Append(Cell(result.Evidence))
                    .Append(" | ").Append(Cell(result.Note ?? string.Empty))
                    .Append(" |\n");
            }
        }

        return text.ToString();
    }

    // A pipe would end the cell and a newline the row; backslash first so the escapes themselves survive.
    private static string Cell(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');
}
