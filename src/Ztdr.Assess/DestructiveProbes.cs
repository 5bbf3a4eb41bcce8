using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Assess;

/// <summary>
/// Every way one key might destroy, shorten or hide locked data, each tried for real. Object-level probes attack a
/// fresh canary of their own (so one probe that succeeds cannot make a later one look refused), and a canary that
/// could not be locked makes its probe not applicable: a refusal then shows the key's rights, not the lock. A
/// bucket-level probe is tried only where the bucket's prior setting (<paramref name="settings"/>) is known and can be
/// restored exactly when the server wrongly accepts the change; elsewhere it is not applicable and says why.
/// </summary>
internal sealed class DestructiveProbes(
    Question question,
    IAmazonS3 attacker,
    IAmazonS3 backup,
    string bucket,
    BucketSettings settings,
    Func<string, CancellationToken, Task<(Canary? Canary, string Evidence)>> writeCanary)
{
    public async Task<IReadOnlyList<ProbeResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<ProbeResult>
        {
            await OnCanaryAsync("Delete a locked version", "delete-version", (c, ct) => Answer.OfAsync(async () =>
                await attacker.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = c.Key, VersionId = c.VersionId }, ct)), "DeleteObject versionId", cancellationToken),
            await OnCanaryAsync("Multi-delete a locked version", "multi-delete", (c, ct) => Answer.OfAsync(async () =>
                await attacker.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [new KeyVersion { Key = c.Key, VersionId = c.VersionId }] }, ct)), "DeleteObjects with versionId", cancellationToken),
            await OnCanaryAsync("Bypass governance on delete", "bypass-governance", (c, ct) => Answer.OfAsync(async () =>
                await attacker.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = c.Key, VersionId = c.VersionId, BypassGovernanceRetention = true }, ct)), "DeleteObject versionId + x-amz-bypass-governance-retention", cancellationToken),
            await OnLockedCanaryAsync("Shorten retention", "shorten-retention", (c, ct) => Answer.OfAsync(async () =>
                await attacker.PutObjectRetentionAsync(Retention(c, ObjectLockRetentionMode.Compliance, c.RetainUntil - TimeSpan.FromSeconds(30)), ct)), "PutObjectRetention COMPLIANCE, 30 s earlier", cancellationToken),
            await OnLockedCanaryAsync("Change mode to GOVERNANCE", "governance-mode", (c, ct) => Answer.OfAsync(async () =>
                await attacker.PutObjectRetentionAsync(Retention(c, ObjectLockRetentionMode.Governance, c.RetainUntil), ct)), "PutObjectRetention GOVERNANCE, same date", cancellationToken),
            await DeleteMarkerAsync(cancellationToken),
            await SuspendVersioningAsync(cancellationToken),
            await DisableObjectLockAsync(cancellationToken),
            await ExpiringLifecycleAsync(cancellationToken),
            await DeleteBucketAsync(cancellationToken),
        };
        return results;
    }

    private PutObjectRetentionRequest Retention(Canary canary, ObjectLockRetentionMode mode, DateTimeOffset until) => new()
    {
        BucketName = bucket,
        Key = canary.Key,
        VersionId = canary.VersionId,
        Retention = new ObjectLockRetention { Mode = mode, RetainUntilDate = until.UtcDateTime },
    };

    /// <summary>A probe that must be refused, against a canary of its own.</summary>
    private async Task<ProbeResult> OnCanaryAsync(string probe, string slug, Func<Canary, CancellationToken, Task<Answer>> attack, string request, CancellationToken cancellationToken)
    {
        var (canary, writeEvidence) = await writeCanary(slug, cancellationToken);
        if (canary is null)
        {
            return new ProbeResult(question, probe, ProbeOutcome.NotApplicable, request, $"canary not written: {writeEvidence}");
        }

        if (!canary.Locked)
        {
            // Accepted, the key destroyed data, which is the failure; refused, it shows the key's rights, never a lock.
            var unlocked = await attack(canary, cancellationToken);
            return unlocked.Accepted
                ? new ProbeResult(question, probe, ProbeOutcome.Fail, $"{request} on {canary.Address}", unlocked.Evidence, $"the canary could not be locked ({writeEvidence})")
                : new ProbeResult(question, probe, ProbeOutcome.NotApplicable, $"{request} on {canary.Address}", unlocked.Evidence, $"the canary could not be locked ({writeEvidence}), so no lock was tested");
        }

        return Verdict(probe, $"{request} on {canary.Address}", await attack(canary, cancellationToken), null);
    }

    /// <summary>A retention change: meaningless on an unlocked canary, which is itself the failure to report.</summary>
    private async Task<ProbeResult> OnLockedCanaryAsync(string probe, string slug, Func<Canary, CancellationToken, Task<Answer>> attack, string request, CancellationToken cancellationToken)
    {
        var (canary, writeEvidence) = await writeCanary(slug, cancellationToken);
        if (canary is null)
        {
            return new ProbeResult(question, probe, ProbeOutcome.NotApplicable, request, $"canary not written: {writeEvidence}");
        }

        if (!canary.Locked)
        {
            return new ProbeResult(question, probe, ProbeOutcome.Fail, request, $"nothing to shorten: {writeEvidence}", "the bucket does not lock objects");
        }

        return Verdict(probe, $"{request} on {canary.Address}", await attack(canary, cancellationToken), null);
    }

    private ProbeResult Verdict(string probe, string request, Answer answer, string? note) =>
        !answer.Answered ? new ProbeResult(question, probe, ProbeOutcome.NotApplicable, request, answer.Evidence, note)
        : answer.Refused ? new ProbeResult(question, probe, ProbeOutcome.Pass, request, answer.Evidence, note)
        : new ProbeResult(question, probe, ProbeOutcome.Fail, request, answer.Evidence, note);

    /// <summary>
    /// A delete without a version id only adds a delete marker in a versioned bucket. That may be allowed (it is how
    /// a backup "forgets"), but it must hide nothing: the locked version must still read back by its version id.
    /// </summary>
    private async Task<ProbeResult> DeleteMarkerAsync(CancellationToken cancellationToken)
    {
        const string Probe = "Delete marker hides data";
        const string Request = "DeleteObject without versionId, then GetObject by versionId";
        var (canary, writeEvidence) = await writeCanary("delete-marker", cancellationToken);
        if (canary is null)
        {
            return new ProbeResult(question, Probe, ProbeOutcome.NotApplicable, Request, $"canary not written: {writeEvidence}");
        }

        if (!canary.Locked)
        {
            return new ProbeResult(question, Probe, ProbeOutcome.NotApplicable, Request, $"the canary could not be locked: {writeEvidence}", "not tried: it would only show a plain version being hidden");
        }

        var delete = await Answer.OfAsync(async () => await attacker.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = canary.Key }, cancellationToken));
        if (!delete.Accepted)
        {
            return Verdict(Probe, $"{Request} on {canary.Address}", delete, null);
        }

        byte[]? read = null;
        var get = await Answer.OfAsync(async () =>
        {
            var response = await backup.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = canary.Key, VersionId = canary.VersionId }, cancellationToken);
            using (response)
            {
                using var buffer = new MemoryStream();
                await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
                read = buffer.ToArray();
            }

            return response;
        });
        var evidence = $"delete {delete.Evidence}; GET by versionId {get.Evidence}";
        return get.Accepted && read is not null && read.AsSpan().SequenceEqual(canary.Content)
            ? new ProbeResult(question, Probe, ProbeOutcome.Pass, $"{Request} on {canary.Address}", evidence, "a delete marker was created; the locked version is still readable by version id")
            : new ProbeResult(question, Probe, ProbeOutcome.Fail, $"{Request} on {canary.Address}", evidence, "the data is gone or hidden after a plain delete");
    }

    /// <summary>
    /// Only from Enabled, the one state the probe can put back: a bucket never versioned ("Off") cannot return to that
    /// state once versioning is set either way, so suspending it would change the bucket for good.
    /// </summary>
    private async Task<ProbeResult> SuspendVersioningAsync(CancellationToken cancellationToken)
    {
        const string Probe = "Suspend versioning";
        const string Request = "PutBucketVersioning Suspended";
        if (settings.Versioning != VersionStatus.Enabled.Value)
        {
            var why = !settings.VersioningKnown ? $"the versioning state could not be read ({settings.Versioning}), so a change could not be put back exactly"
                : settings.Versioning == BucketSettings.NeverVersioned ? "versioning was never enabled on this bucket; any change would be for good (S3 cannot return a bucket to unversioned)"
                : $"versioning is already {settings.Versioning}";
            return new ProbeResult(question, Probe, ProbeOutcome.NotApplicable, Request, $"not tried: {why}", "see \"Versioning enabled\"");
        }

        var answer = await Answer.OfAsync(async () => await attacker.PutBucketVersioningAsync(Versioning(VersionStatus.Suspended), cancellationToken));
        if (!answer.Accepted)
        {
            return Verdict(Probe, Request, answer, null);
        }

        // Wrongly accepted: put the state it had back at once, so the assessment leaves the bucket as it found it.
        var restore = await Answer.OfAsync(async () => await attacker.PutBucketVersioningAsync(Versioning(VersionStatus.Enabled), cancellationToken));
        return new ProbeResult(question, Probe, ProbeOutcome.Fail, Request, answer.Evidence, $"re-enabling versioning: {restore.Evidence}");
    }

    private PutBucketVersioningRequest Versioning(VersionStatus status) => new() { BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = status } };

    /// <summary>
    /// S3 has no way to turn Object Lock off; a server that accepts "Disabled" has a lock that can be removed. Tried
    /// only on a bucket whose configuration is known and set, so a wrongly accepted change can be put back as it was.
    /// </summary>
    private async Task<ProbeResult> DisableObjectLockAsync(CancellationToken cancellationToken)
    {
        const string Probe = "Remove the lock configuration";
        const string Request = "PutObjectLockConfiguration ObjectLockEnabled=Disabled, no rule";
        if (settings.LockConfiguration is not { } previous)
        {
            var why = settings.ObjectLockKnown ? "the bucket has no Object Lock configuration to remove" : $"the lock configuration could not be read ({settings.ObjectLock}), so a change could not be put back exactly";
            return new ProbeResult(question, Probe, ProbeOutcome.NotApplicable, Request, $"not tried: {why}");
        }

        var answer = await Answer.OfAsync(async () => await attacker.PutObjectLockConfigurationAsync(
            new PutObjectLockConfigurationRequest { BucketName = bucket, ObjectLockConfiguration = new ObjectLockConfiguration { ObjectLockEnabled = new ObjectLockEnabled("Disabled") } },
            cancellationToken));
        if (!answer.Accepted)
        {
            return Verdict(Probe, Request, answer, null);
        }

        var restore = await Answer.OfAsync(async () => await attacker.PutObjectLockConfigurationAsync(
            new PutObjectLockConfigurationRequest { BucketName = bucket, ObjectLockConfiguration = previous }, cancellationToken));
        return new ProbeResult(question, Probe, ProbeOutcome.Fail, Request, answer.Evidence, $"restoring the previous lock configuration: {restore.Evidence}");
    }

    /// <summary>A rule that would expire the canaries' versions after a day; wrongly accepted, the previous configuration is put back.</summary>
    private async Task<ProbeResult> ExpiringLifecycleAsync(CancellationToken cancellationToken)
    {
        const string Probe = "Lifecycle rule expiring versions";
        const string Request = "PutBucketLifecycleConfiguration Expiration 1 d + NoncurrentVersionExpiration 1 d on the canary prefix";
        if (!settings.LifecycleKnown)
        {
            return new ProbeResult(question, Probe, ProbeOutcome.NotApplicable, Request, $"not tried: the lifecycle configuration could not be read ({settings.Lifecycle}), so a change could not be put back exactly");
        }

        var rule = new LifecycleRule
        {
            Id = "ztdr-assess-expire",
            Status = LifecycleRuleStatus.Enabled,
            Filter = new LifecycleFilter { Prefix = Assessor.CanaryRoot },
            Expiration = new LifecycleRuleExpiration { Days = 1 },
            NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = 1 },
        };
        var answer = await Answer.OfAsync(async () => await attacker.PutLifecycleConfigurationAsync(
            new PutLifecycleConfigurationRequest { BucketName = bucket, Configuration = new LifecycleConfiguration { Rules = [rule] } }, cancellationToken));
        if (!answer.Accepted)
        {
            return Verdict(Probe, Request, answer, null);
        }

        var restore = settings.LifecycleConfiguration is { } previous
            ? await Answer.OfAsync(async () => await attacker.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest { BucketName = bucket, Configuration = previous }, cancellationToken))
            : await Answer.OfAsync(async () => await attacker.DeleteLifecycleConfigurationAsync(new DeleteLifecycleConfigurationRequest { BucketName = bucket }, cancellationToken));
        return new ProbeResult(question, Probe, ProbeOutcome.Fail, Request, answer.Evidence, $"restoring the previous lifecycle configuration: {restore.Evidence}");
    }

    /// <summary>The bucket holds this run's locked canaries, so a correct server refuses whatever the key's rights.</summary>
    private async Task<ProbeResult> DeleteBucketAsync(CancellationToken cancellationToken)
    {
        var answer = await Answer.OfAsync(async () => await attacker.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }, cancellationToken));
        return Verdict("Delete the bucket", $"DeleteBucket {bucket}", answer, null);
    }
}
