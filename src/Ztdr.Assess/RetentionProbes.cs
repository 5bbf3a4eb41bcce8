using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Assess;

/// <summary>
/// "Compliance or governance?" and "Works without the backup software?": the default rule as configured, the mode a
/// written object really carries, and a plain SDK round trip with Object Lock headers.
/// </summary>
internal static class RetentionProbes
{
    /// <summary>
    /// The bucket's default rule. GOVERNANCE fails: a key with the bypass permission can delete before expiry. No
    /// rule is not applicable: writers must then set COMPLIANCE per object (ztdr does; the canary shows it holds).
    /// </summary>
    public static ProbeResult Configured(ObjectLockConfiguration? configuration, ProbeResult objectLock)
    {
        const string Probe = "Default retention as configured";
        const string Request = "GetObjectLockConfiguration";
        if (configuration is null)
        {
            return new ProbeResult(Question.RetentionMode, Probe, objectLock.Outcome == ProbeOutcome.Fail ? ProbeOutcome.Fail : ProbeOutcome.NotApplicable, Request, objectLock.Evidence);
        }

        if (configuration.Rule?.DefaultRetention is not { } rule)
        {
            return new ProbeResult(Question.RetentionMode, Probe, ProbeOutcome.NotApplicable, Request, "no default rule", "every object must carry its own retention; ztdr writes COMPLIANCE per object");
        }

        var mode = rule.Mode?.Value ?? "(none)";
        var period = rule.Days is > 0 ? $"{rule.Days} days" : $"{rule.Years} years";
        return new ProbeResult(
            Question.RetentionMode,
            Probe,
            mode == ObjectLockRetentionMode.Compliance.Value ? ProbeOutcome.Pass : ProbeOutcome.Fail,
            Request,
            $"default rule {mode} {period}",
            mode == ObjectLockRetentionMode.Compliance.Value ? null : "GOVERNANCE can be bypassed by a key with the permission");
    }

    public static async Task<ProbeResult> ObservedAsync(IAmazonS3 client, string bucket, Canary? canary, string writeEvidence, CancellationToken cancellationToken)
    {
        const string Probe = "Retention as observed on the canary";
        if (canary is null)
        {
            return new ProbeResult(Question.RetentionMode, Probe, ProbeOutcome.NotApplicable, "GetObjectRetention", $"canary not written: {writeEvidence}");
        }

        var request = $"GetObjectRetention {canary.Address}";
        GetObjectRetentionResponse? response = null;
        var answer = await Answer.OfAsync(async () => response = await client.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = canary.Key, VersionId = canary.VersionId }, cancellationToken));
        if (!answer.Accepted || response?.Retention is not { } retention)
        {
            return new ProbeResult(Question.RetentionMode, Probe, ProbeOutcome.Fail, request, answer.Evidence, canary.Locked ? "the locked write was accepted but no retention reads back" : $"the canary could not be locked ({writeEvidence})");
        }

        var mode = retention.Mode?.Value ?? "(none)";
        var evidence = $"{mode} until {retention.RetainUntilDate:u}";
        return new ProbeResult(Question.RetentionMode, Probe, mode == ObjectLockRetentionMode.Compliance.Value ? ProbeOutcome.Pass : ProbeOutcome.Fail, request, evidence);
    }

    /// <summary>The round-trip canary was written with plain PutObject and lock headers; it must read back byte for byte, locked.</summary>
    public static async Task<ProbeResult> RoundTripAsync(IAmazonS3 client, string bucket, Canary? canary, string writeEvidence, CancellationToken cancellationToken)
    {
        const string Probe = "PutObject/GetObject with Object Lock headers";
        if (canary is null || !canary.Locked)
        {
            return new ProbeResult(Question.WorksWithoutBackupSoftware, Probe, ProbeOutcome.Fail, "PutObject x-amz-object-lock-mode COMPLIANCE", writeEvidence);
        }

        byte[]? read = null;
        string? mode = null;
        var get = await Answer.OfAsync(async () =>
        {
            var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = canary.Key, VersionId = canary.VersionId }, cancellationToken);
            using (response)
            {
                mode = response.ObjectLockMode?.Value;
                using var buffer = new MemoryStream();
                await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
                read = buffer.ToArray();
            }

            return response;
        });
        var request = $"PutObject COMPLIANCE then GetObject {canary.Address}";
        var evidence = $"PUT {writeEvidence}; GET {get.Evidence}, {read?.Length ?? 0} bytes, x-amz-object-lock-mode {mode ?? "(absent)"}";
        var ok = get.Accepted && read is not null && read.AsSpan().SequenceEqual(canary.Content) && mode == ObjectLockMode.Compliance.Value;
        return new ProbeResult(Question.WorksWithoutBackupSoftware, Probe, ok ? ProbeOutcome.Pass : ProbeOutcome.Fail, request, evidence);
    }
}
