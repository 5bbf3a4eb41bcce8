using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Assess;

/// <summary>
/// The bucket-level settings a probe could change: versioning, the Object Lock configuration, lifecycle rules and the
/// bucket policy, each as text to compare (<see cref="Unknown"/> when the key may not read it). Read before the probes,
/// it says what a probe may restore exactly — and which probes must not be tried because nothing could put the
/// bucket back; read again after, it proves the assessment left the bucket as it found it.
/// </summary>
internal sealed record BucketSettings(
    string Versioning,
    string ObjectLock,
    string Lifecycle,
    string Policy,
    ObjectLockConfiguration? LockConfiguration,
    LifecycleConfiguration? LifecycleConfiguration)
{
    /// <summary>The text of a setting the key could not read.</summary>
    public const string Unknown = "unknown";

    /// <summary>What S3 answers for a bucket whose versioning was never enabled: a state no request can return to.</summary>
    public const string NeverVersioned = "Off";

    public const string None = "none";

    public static async Task<BucketSettings> ReadAsync(IAmazonS3 client, string bucket, CancellationToken cancellationToken)
    {
        GetBucketVersioningResponse? versioning = null;
        var versioningAnswer = await Answer.OfAsync(async () => versioning = await client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, cancellationToken));

        GetObjectLockConfigurationResponse? objectLock = null;
        var lockAnswer = await Answer.OfAsync(async () => objectLock = await client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = bucket }, cancellationToken));

        GetLifecycleConfigurationResponse? lifecycle = null;
        var lifecycleAnswer = await Answer.OfAsync(async () => lifecycle = await client.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket }, cancellationToken));

        GetBucketPolicyResponse? policy = null;
        var policyAnswer = await Answer.OfAsync(async () => policy = await client.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket }, cancellationToken));

        var lockKnown = lockAnswer.Accepted || lockAnswer.Code is "ObjectLockConfigurationNotFoundError" or "NoSuchObjectLockConfiguration";
        // A server without lifecycle support (501 NotImplemented, as ztdr-vault answers) has none to change or restore.
        var lifecycleKnown = lifecycleAnswer.Accepted || lifecycleAnswer.Code is "NoSuchLifecycleConfiguration" or "NotImplemented";
        var lifecycleRules = lifecycleAnswer.Accepted ? lifecycle?.Configuration : null;
        return new BucketSettings(
            versioningAnswer.Accepted ? VersioningText(versioning!) : $"{Unknown} ({versioningAnswer.Evidence})",
            lockKnown ? LockText(lockAnswer.Accepted ? objectLock?.ObjectLockConfiguration : null) : $"{Unknown} ({lockAnswer.Evidence})",
            lifecycleKnown ? LifecycleText(lifecycleRules) : $"{Unknown} ({lifecycleAnswer.Evidence})",
            policyAnswer.Accepted ? PolicyText(policy?.Policy)
                : policyAnswer.Code is "NoSuchBucketPolicy" ? None
                : $"{Unknown} ({policyAnswer.Evidence})",
            lockKnown && lockAnswer.Accepted ? objectLock?.ObjectLockConfiguration : null,
            lifecycleRules is { Rules.Count: > 0 } ? lifecycleRules : null);
    }

    public bool VersioningKnown => !Versioning.StartsWith(Unknown, StringComparison.Ordinal);

    public bool ObjectLockKnown => !ObjectLock.StartsWith(Unknown, StringComparison.Ordinal);

    public bool LifecycleKnown => !Lifecycle.StartsWith(Unknown, StringComparison.Ordinal);

    /// <summary>"versioning Enabled, object lock …, lifecycle none, policy none": the evidence a reviewer reads.</summary>
    public string Summary => $"versioning {Versioning}; object lock {ObjectLock}; lifecycle {Lifecycle}; policy {(Policy == None || Policy.StartsWith(Unknown, StringComparison.Ordinal) ? Policy : "set")}";

    /// <summary>Every setting that differs in <paramref name="after"/>, as "versioning: Off → Enabled".</summary>
    public IReadOnlyList<string> Differences(BucketSettings after)
    {
        var differences = new List<string>();
        Compare("versioning", Versioning, after.Versioning);
        Compare("object lock", ObjectLock, after.ObjectLock);
        Compare("lifecycle", Lifecycle, after.Lifecycle);
        Compare("policy", Policy, after.Policy);
        return differences;

        void Compare(string name, string before, string now)
        {
            // A setting unreadable before or after proves nothing either way; only two known values are compared.
            if (!before.StartsWith(Unknown, StringComparison.Ordinal) && !now.StartsWith(Unknown, StringComparison.Ordinal) && before != now)
            {
                differences.Add($"{name}: {before} → {now}");
            }
        }
    }

    /// <summary>
    /// The policy document, or <see cref="None"/>. Ceph RGW answers a bucket without one with an XML error the SDK
    /// hands back as the policy text; its request id differs on every read, so only its code is kept.
    /// </summary>
    private static string PolicyText(string? policy)
    {
        if (string.IsNullOrEmpty(policy))
        {
            return None;
        }

        var error = System.Text.RegularExpressions.Regex.Match(policy, "^\\s*(<\\?xml[^>]*>)?\\s*<Error>.*?<Code>([^<]+)</Code>", System.Text.RegularExpressions.RegexOptions.Singleline);
        return !error.Success ? policy
            : error.Groups[2].Value == "NoSuchBucketPolicy" ? None
            : $"{Unknown} ({error.Groups[2].Value})";
    }

    private static string VersioningText(GetBucketVersioningResponse response)
    {
        var status = response.VersioningConfig?.Status?.Value;
        var text = string.IsNullOrEmpty(status) ? NeverVersioned : status;
        return response.VersioningConfig?.EnableMfaDelete == true ? text + ", MFA delete" : text;
    }

    private static string LockText(ObjectLockConfiguration? configuration)
    {
        if (configuration?.ObjectLockEnabled?.Value is not { Length: > 0 } enabled)
        {
            return None;
        }

        var retention = configuration.Rule?.DefaultRetention;
        return retention is null
            ? $"{enabled}, no default rule"
            : string.Create(CultureInfo.InvariantCulture, $"{enabled}, default {retention.Mode?.Value} {retention.Days ?? 0} days {retention.Years ?? 0} years");
    }

    private static string LifecycleText(LifecycleConfiguration? configuration)
    {
        if (configuration?.Rules is not { Count: > 0 } rules)
        {
            return None;
        }

        return string.Join(" | ", rules.Select(rule => string.Create(CultureInfo.InvariantCulture,
            $"{rule.Id} {rule.Status?.Value} prefix={rule.Filter?.Prefix} expire={rule.Expiration?.Days}d/{rule.Expiration?.Date:O}/{rule.Expiration?.ExpiredObjectDeleteMarker} noncurrent={rule.NoncurrentVersionExpiration?.NoncurrentDays}d abort={rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation}d")));
    }
}
