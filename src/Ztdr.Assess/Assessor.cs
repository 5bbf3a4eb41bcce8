using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Assess;

/// <summary>
/// <c>ztdr assess</c>: attacks a bucket with the keys it is given and answers from evidence. Writes only canaries of
/// its own under <see cref="CanaryRoot"/>, each COMPLIANCE-locked for <see cref="AssessOptions.CanaryRetention"/>.
/// </summary>
public static class Assessor
{
    /// <summary>Every run's canaries live under this prefix, named so an operator knows what they are.</summary>
    public const string CanaryRoot = "ztdr-assess/";

    public static async Task<AssessmentReport> RunAsync(AssessOptions options, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var started = time.GetUtcNow();
        var runId = started.ToString("yyyyMMdd'T'HHmmss'Z'-", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        var prefix = $"{CanaryRoot}{runId}/";
        var bucket = options.Bucket;
        using var target = new S3Target(options);
        var backup = target.Client(options.Profile);
        var admin = options.AdminProfile is { } adminProfile ? target.Client(adminProfile) : null;

        await PreflightAsync(target, backup, options.Profile ?? "(AWS environment)", bucket, prefix, cancellationToken);
        if (admin is not null)
        {
            await PreflightAsync(target, admin, options.AdminProfile!, bucket, prefix, cancellationToken);
        }

        // Read with the strongest key given: what the probes may restore, and what the run must leave as it found.
        var settingsReader = admin ?? backup;
        var settings = await BucketSettings.ReadAsync(settingsReader, bucket, cancellationToken);
        var results = new List<ProbeResult>();

        // Hardened by default.
        var hardening = new HardeningProbes(target, bucket);
        results.Add(HardeningProbes.Tls(options.Endpoint));
        var (anonymousList, serverDate) = await hardening.AnonymousAsync("Anonymous LIST refused", $"/{bucket}?list-type=2", cancellationToken);
        results.Add(anonymousList);
        results.Add(HardeningProbes.Clock(serverDate, time.GetUtcNow()));
        var skew = serverDate is { } date && (date - time.GetUtcNow()).Duration() <= TimeSpan.FromHours(1) ? date - time.GetUtcNow() : TimeSpan.Zero;
        DateTimeOffset ServerNow() => time.GetUtcNow() + skew;

        results.Add(await hardening.VersioningAsync(backup, cancellationToken));
        var (objectLock, lockConfiguration) = await hardening.ObjectLockAsync(backup, cancellationToken);
        results.Add(objectLock);

        Task<(Canary? Canary, string Evidence)> WriteCanary(string name, CancellationToken ct) =>
            Canary.WriteAsync(backup, bucket, prefix + name, ServerNow() + options.CanaryRetention, ct);

        var (roundTrip, roundTripEvidence) = await WriteCanary("round-trip", cancellationToken);
        if (roundTrip is not null)
        {
            var (anonymousGet, _) = await hardening.AnonymousAsync("Anonymous GET refused", $"/{bucket}/{Uri.EscapeDataString(roundTrip.Key).Replace("%2F", "/", StringComparison.Ordinal)}", cancellationToken);
            results.Add(anonymousGet);
        }
        else
        {
            results.Add(new ProbeResult(Question.HardenedByDefault, "Anonymous GET refused", ProbeOutcome.NotApplicable, "unsigned GET of a canary", $"canary not written: {roundTripEvidence}"));
        }

        // Can the backup credential destroy or hide data?
        results.AddRange(await new DestructiveProbes(Question.BackupCredential, backup, backup, bucket, settings, WriteCanary).RunAsync(cancellationToken));
        results.AddRange(await new LimitProbes(target, backup, bucket, prefix, ServerNow, WriteCanary).RunAsync(cancellationToken));

        // Does administrative privilege allow deletes or resets?
        if (admin is not null)
        {
            // Canaries of their own names: on a bucket with write-once names the backup question's names are taken.
            results.AddRange(await new DestructiveProbes(Question.AdminCredential, admin, backup, bucket, settings, (name, ct) => WriteCanary("admin-" + name, ct)).RunAsync(cancellationToken));
        }
        else
        {
            results.Add(new ProbeResult(Question.AdminCredential, "Administrative key", ProbeOutcome.NotApplicable, "(none)", "no --admin-profile given", "rerun with --admin-profile to assess the administrative key"));
        }

        // Compliance or governance?
        results.Add(RetentionProbes.Configured(lockConfiguration, objectLock));
        results.Add(await RetentionProbes.ObservedAsync(backup, bucket, roundTrip, roundTripEvidence, cancellationToken));
        results.Add(await RetentionProbes.StoredAsync(backup, bucket, CanaryRoot, cancellationToken));

        // Works without the backup software?
        results.Add(await RetentionProbes.RoundTripAsync(backup, bucket, roundTrip, roundTripEvidence, cancellationToken));

        results.Add(LeftAsFound(settings, await BucketSettings.ReadAsync(settingsReader, bucket, cancellationToken)));
        return new AssessmentReport(options.Endpoint, bucket, runId, prefix, started, results);
    }

    /// <summary>
    /// The run's own promise: every bucket setting as it was before the first probe. A difference means a probe was
    /// wrongly accepted and could not be undone; the report names it, so the operator can put it back.
    /// </summary>
    private static ProbeResult LeftAsFound(BucketSettings before, BucketSettings after)
    {
        const string Probe = "Bucket settings left as found";
        const string Request = "GetBucketVersioning, GetObjectLockConfiguration, GetBucketLifecycleConfiguration, GetBucketPolicy before and after";
        var differences = before.Differences(after);
        if (differences.Count > 0)
        {
            return new ProbeResult(Question.HardenedByDefault, Probe, ProbeOutcome.Fail, Request, string.Join("; ", differences), "a probe was wrongly accepted and its change could not be undone: put these settings back by hand");
        }

        return before.VersioningKnown || before.ObjectLockKnown || before.LifecycleKnown
            ? new ProbeResult(Question.HardenedByDefault, Probe, ProbeOutcome.Pass, Request, after.Summary)
            : new ProbeResult(Question.HardenedByDefault, Probe, ProbeOutcome.NotApplicable, Request, after.Summary, "the key may not read the bucket's settings");
    }

    /// <summary>One signed request that must work before any probe means anything; its failure is the one line the user sees.</summary>
    private static async Task PreflightAsync(S3Target target, IAmazonS3 client, string profile, string bucket, string prefix, CancellationToken cancellationToken)
    {
        var answer = await Answer.OfAsync(async () => await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = 1 }, cancellationToken));
        if (answer.Accepted)
        {
            return;
        }

        throw new AssessException(answer switch
        {
            { Answered: false } => $"cannot reach {target.Endpoint}: {answer.Detail}",
            { Code: "NoSuchBucket" } => $"bucket '{bucket}' does not exist at {target.Endpoint}",
            { Code: "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "InvalidToken" or "ExpiredToken" } => $"{target.Endpoint} does not accept the credentials of profile [{profile}] ({answer.Code})",
            _ => $"profile [{profile}] cannot list bucket '{bucket}' at {target.Endpoint}: HTTP {answer.Status} {answer.Code}",
        });
    }
}
