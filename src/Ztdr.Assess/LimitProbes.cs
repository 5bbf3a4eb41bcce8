using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Assess;

/// <summary>
/// The lock-cost attack (docs/threat-model.md): can the backup key lock data for longer than anyone would keep
/// backups, and is there a quota that bounds how much of it? A target that fails these can be filled by one stolen key
/// with data nobody can ever free.
/// </summary>
internal sealed class LimitProbes(
    S3Target target,
    IAmazonS3 backup,
    string bucket,
    string prefix,
    Func<DateTimeOffset> serverNow,
    Func<string, CancellationToken, Task<(Canary? Canary, string Evidence)>> writeCanary)
{
    /// <summary>A century: no backup policy asks for it, and on a target that accepts it the lock cost is unbounded.</summary>
    public const int Years = 100;

    /// <summary>Vault response headers of HeadBucket naming the quotas that apply (docs/s3-compatibility.md).</summary>
    public const string BucketQuotaHeader = "x-ztdr-quota-bytes";

    public const string KeyQuotaHeader = "x-ztdr-key-quota-bytes";

    public async Task<IReadOnlyList<ProbeResult>> RunAsync(CancellationToken cancellationToken) =>
        [await LockNewDataAsync(cancellationToken), await ExtendAsync(cancellationToken), await QuotaAsync(cancellationToken)];

    /// <summary>A tiny canary PUT with COMPLIANCE for 100 years. If accepted, the canary itself is the (small) proof.</summary>
    private async Task<ProbeResult> LockNewDataAsync(CancellationToken cancellationToken)
    {
        const string Probe = "Lock new data for 100 years";
        var key = prefix + "lock-100-years";
        var request = $"PutObject COMPLIANCE +{Years} years on {key}";
        var content = System.Text.Encoding.UTF8.GetBytes($"ztdr assess canary {key}\n");
        var answer = await Answer.OfAsync(async () => await backup.PutObjectAsync(Canary.Request(bucket, key, content, serverNow().AddYears(Years)), cancellationToken));
        return Verdict(Probe, request, answer);
    }

    /// <summary>PutObjectRetention extending a locked canary to 100 years: extension is allowed in COMPLIANCE, so only a maximum stops it.</summary>
    private async Task<ProbeResult> ExtendAsync(CancellationToken cancellationToken)
    {
        const string Probe = "Extend retention to 100 years";
        const string Request = "PutObjectRetention COMPLIANCE +100 years";
        var (canary, writeEvidence) = await writeCanary("extend-100-years", cancellationToken);
        if (canary is not { Locked: true })
        {
            return new ProbeResult(Question.BackupCredential, Probe, ProbeOutcome.NotApplicable, Request, $"no locked canary: {writeEvidence}");
        }

        var answer = await Answer.OfAsync(async () => await backup.PutObjectRetentionAsync(new PutObjectRetentionRequest
        {
            BucketName = bucket,
            Key = canary.Key,
            VersionId = canary.VersionId,
            Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = serverNow().AddYears(Years).UtcDateTime },
        }, cancellationToken));
        return Verdict(Probe, $"{Request} on {canary.Address}", answer);
    }

    /// <summary>
    /// S3 has no standard quota report, so this reads the vault's: HeadBucket, presigned for the backup key, sent
    /// through the same TLS trust. No quota header is a fail: on this evidence one key can fill the target.
    /// </summary>
    private async Task<ProbeResult> QuotaAsync(CancellationToken cancellationToken)
    {
        const string Probe = "Quota on locked data";
        var request = $"HeadBucket {bucket} (presigned with the backup key), quota headers";
        HttpResponseMessage response;
        try
        {
            var url = await backup.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Verb = HttpVerb.HEAD, Expires = serverNow().UtcDateTime.AddMinutes(5) });
            response = await target.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or Amazon.Runtime.AmazonClientException or TaskCanceledException { InnerException: TimeoutException })
        {
            return new ProbeResult(Question.BackupCredential, Probe, ProbeOutcome.NotApplicable, request, $"no answer: {S3Target.Describe(e)}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return new ProbeResult(Question.BackupCredential, Probe, ProbeOutcome.NotApplicable, request, $"refused: HTTP {(int)response.StatusCode}");
            }

            var quotas = new List<string>();
            if (Header(response, BucketQuotaHeader) is { } bucketQuota)
            {
                quotas.Add($"bucket quota {bucketQuota} bytes");
            }

            if (Header(response, KeyQuotaHeader) is { } keyQuota)
            {
                quotas.Add($"key quota {keyQuota} bytes");
            }

            return quotas.Count > 0
                ? new ProbeResult(Question.BackupCredential, Probe, ProbeOutcome.Pass, request, string.Join(", ", quotas))
                : new ProbeResult(Question.BackupCredential, Probe, ProbeOutcome.Fail, request, "no quota reported", "one stolen key can fill the target with locked data; if the server enforces a quota it does not report, check it by other means");
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>Refused is a pass; accepted is a fail; no answer is not applicable.</summary>
    private static ProbeResult Verdict(string probe, string request, Answer answer) =>
        !answer.Answered ? new ProbeResult(Question.BackupCredential, probe, ProbeOutcome.NotApplicable, request, answer.Evidence)
        : answer.Refused ? new ProbeResult(Question.BackupCredential, probe, ProbeOutcome.Pass, request, answer.Evidence)
        : new ProbeResult(Question.BackupCredential, probe, ProbeOutcome.Fail, request, answer.Evidence, $"the backup key can lock data for {Years} years: a stolen key fills the target with data nobody can free");
}
