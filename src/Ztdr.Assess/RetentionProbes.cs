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

    /// <summary>How many stored versions the observed-mode probe reads the retention of, at most.</summary>
    public const int StoredSample = 32;

    /// <summary>
    /// The mode stored data really carries, beside the assessment's own canaries: the newest versions of the first
    /// page of a version listing (canaries excluded), each asked for its retention. A GOVERNANCE lock fails: any key
    /// with the bypass permission can delete that version before its date, whatever the default rule says now.
    /// Versions without a lock are counted in the evidence but not judged here: which objects a writer locks is the
    /// writer's business (ztdr's verify checks every object of its repository); this question is about the mode.
    /// </summary>
    public static async Task<ProbeResult> StoredAsync(IAmazonS3 client, string bucket, string canaryRoot, CancellationToken cancellationToken)
    {
        const string Probe = "Retention as observed on stored objects";
        var request = $"ListObjectVersions, then GetObjectRetention of up to {StoredSample} versions outside {canaryRoot}";
        ListVersionsResponse? listing = null;
        var list = await Answer.OfAsync(async () => listing = await client.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, MaxKeys = 1000 }, cancellationToken));
        if (!list.Accepted || listing is null)
        {
            return new ProbeResult(Question.RetentionMode, Probe, ProbeOutcome.NotApplicable, request, $"ListObjectVersions {list.Evidence}");
        }

        var sample = (listing.Versions ?? [])
            .Where(v => v.IsDeleteMarker != true && !v.Key.StartsWith(canaryRoot, StringComparison.Ordinal))
            .Take(StoredSample)
            .ToList();
        if (sample.Count == 0)
        {
            return new ProbeResult(Question.RetentionMode, Probe, ProbeOutcome.NotApplicable, request, "no stored versions besides the assessment's canaries");
        }

        int compliance = 0, unlocked = 0, unreadable = 0;
        var governance = new List<string>();
        foreach (var version in sample)
        {
            GetObjectRetentionResponse? response = null;
            var answer = await Answer.OfAsync(async () => response = await client.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = version.Key, VersionId = version.VersionId }, cancellationToken));
            var mode = answer.Accepted ? response?.Retention?.Mode?.Value : null;
            if (mode == ObjectLockRetentionMode.Compliance.Value)
            {
                compliance++;
            }
            else if (mode == ObjectLockRetentionMode.Governance.Value)
            {
                governance.Add($"{version.Key}?versionId={version.VersionId}");
            }
            else if (answer.Accepted || answer.Code is "NoSuchObjectLockConfiguration" or "ObjectLockConfigurationNotFoundError")
            {
                unlocked++;
            }
            else
            {
                unreadable++;
            }
        }

        var evidence = $"{sample.Count} versions read: {compliance} COMPLIANCE, {governance.Count} GOVERNANCE, {unlocked} without a lock"
            + (unreadable > 0 ? $", {unreadable} retention not readable" : string.Empty)
            + (governance.Count > 0 ? $"; e.g. {governance[0]}" : string.Empty);
        return governance.Count > 0
            ? new ProbeResult(Question.RetentionMode, Probe, ProbeOutcome.Fail, request, evidence, "GOVERNANCE versions can be deleted before their date by any key holding the bypass permission")
            : compliance > 0
                ? new ProbeResult(Question.RetentionMode, Probe, ProbeOutcome.Pass, request, evidence)
                : new ProbeResult(Question.RetentionMode, Probe, ProbeOutcome.NotApplicable, request, evidence, "no locked version among those read");
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
