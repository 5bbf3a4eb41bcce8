namespace Ztdr.Assess;

/// <summary>The questions an assessment answers, in the order a reviewer reads them.</summary>
public enum Question
{
    /// <summary>TLS only, no anonymous access, versioning and Object Lock on, a sane server clock.</summary>
    HardenedByDefault,

    /// <summary>Whether the backup credential can destroy or hide data it wrote.</summary>
    BackupCredential,

    /// <summary>Whether the administrative credential can delete or reset locked data.</summary>
    AdminCredential,

    /// <summary>Compliance or governance: as configured on the bucket and as observed on a written object.</summary>
    RetentionMode,

    /// <summary>A plain S3 client, without the backup software, can write a locked object and read it back.</summary>
    WorksWithoutBackupSoftware,
}

/// <summary>A probe's verdict. Not applicable means the probe could not apply (with a note saying why), never "passed".</summary>
public enum ProbeOutcome
{
    Pass,
    Fail,
    NotApplicable,
}

/// <summary>
/// One probe and its evidence: what was sent (<paramref name="Request"/>) and what came back
/// (<paramref name="Evidence"/>, e.g. "HTTP 403 AccessDenied"), so a reviewer can check the verdict without rerunning.
/// </summary>
public sealed record ProbeResult(Question Question, string Probe, ProbeOutcome Outcome, string Request, string Evidence, string? Note = null);

/// <summary>Everything an assessment found about one bucket on one endpoint.</summary>
public sealed record AssessmentReport(
    Uri Endpoint,
    string Bucket,
    string RunId,
    string CanaryPrefix,
    DateTimeOffset StartedAt,
    IReadOnlyList<ProbeResult> Results)
{
    /// <summary>Any failed probe makes the whole assessment fail (a non-zero exit).</summary>
    public bool HasFailures => Results.Any(r => r.Outcome == ProbeOutcome.Fail);

    public int Count(ProbeOutcome outcome) => Results.Count(r => r.Outcome == outcome);

    /// <summary>The heading a reviewer sees for <paramref name="question"/>.</summary>
    public static string Title(Question question) => question switch
    {
        Question.HardenedByDefault => "Hardened by default?",
        Question.BackupCredential => "Can the backup credential destroy or hide data?",
        Question.AdminCredential => "Does administrative privilege allow deletes or resets?",
        Question.RetentionMode => "Compliance or governance?",
        Question.WorksWithoutBackupSoftware => "Works without the backup software?",
        _ => question.ToString(),
    };

    public static string Text(ProbeOutcome outcome) => outcome switch
    {
        ProbeOutcome.Pass => "pass",
        ProbeOutcome.Fail => "FAIL",
        _ => "n/a",
    };
}
