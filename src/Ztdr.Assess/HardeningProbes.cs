using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Assess;

/// <summary>
/// "Hardened by default?": what the endpoint and bucket promise before any key is abused. TLS only, no anonymous
/// reads or lists, versioning and Object Lock on, and a server clock close to ours (retention is judged by the
/// server's clock: one that runs fast expires locks early).
/// </summary>
internal sealed partial class HardeningProbes(S3Target target, string bucket)
{
    /// <summary>How far the server's Date may be from the local clock before the clock probe fails.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private const Question Q = Question.HardenedByDefault;

    public static ProbeResult Tls(Uri endpoint) => endpoint.Scheme == Uri.UriSchemeHttps
        ? new ProbeResult(Q, "TLS only", ProbeOutcome.Pass, $"endpoint {endpoint}", "https scheme; the server certificate was verified")
        : new ProbeResult(Q, "TLS only", ProbeOutcome.Fail, $"endpoint {endpoint}", $"{endpoint.Scheme} scheme: credentials and data travel in clear text");

    /// <summary>
    /// An unsigned GET of <paramref name="path"/> must be refused (401/403). Also returns the server's Date header
    /// from the answer, the one clock reading that needs no key.
    /// </summary>
    public async Task<(ProbeResult Result, DateTimeOffset? ServerDate)> AnonymousAsync(string probe, string path, CancellationToken cancellationToken)
    {
        var request = $"unsigned GET {path}";
        try
        {
            using var response = await target.Http.GetAsync(new Uri(target.Endpoint, path), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var code = ErrorCode().Match(body) is { Success: true } m ? m.Groups[1].Value : "(no code)";
            var status = (int)response.StatusCode;
            var result = status is 401 or 403
                ? new ProbeResult(Q, probe, ProbeOutcome.Pass, request, $"refused: HTTP {status} {code}")
                : new ProbeResult(Q, probe, ProbeOutcome.Fail, request, response.IsSuccessStatusCode ? $"accepted (HTTP {status}): anyone can read without a key" : $"HTTP {status} {code}: not refused as unauthenticated");
            return (result, response.Headers.Date);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException { InnerException: TimeoutException })
        {
            return (new ProbeResult(Q, probe, ProbeOutcome.NotApplicable, request, $"no answer: {S3Target.Describe(e)}"), null);
        }
    }

    public static ProbeResult Clock(DateTimeOffset? serverDate, DateTimeOffset localNow)
    {
        const string Probe = "Server clock within 5 minutes";
        if (serverDate is not { } server)
        {
            return new ProbeResult(Q, Probe, ProbeOutcome.NotApplicable, "Date header of an unsigned GET", "no Date header in the answer");
        }

        var skew = server - localNow;
        var evidence = string.Create(CultureInfo.InvariantCulture, $"server Date {server:u}, local {localNow:u}, skew {skew.TotalSeconds:+0;-0;0} s");
        return skew.Duration() <= MaxClockSkew
            ? new ProbeResult(Q, Probe, ProbeOutcome.Pass, "Date header of an unsigned GET", evidence)
            : new ProbeResult(Q, Probe, ProbeOutcome.Fail, "Date header of an unsigned GET", evidence, "retention is judged by the server's clock");
    }

    public async Task<ProbeResult> VersioningAsync(IAmazonS3 client, CancellationToken cancellationToken)
    {
        const string Probe = "Versioning enabled";
        GetBucketVersioningResponse? response = null;
        var answer = await Answer.OfAsync(async () => response = await client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, cancellationToken));
        if (!answer.Accepted || response is null)
        {
            return new ProbeResult(Q, Probe, ProbeOutcome.NotApplicable, "GetBucketVersioning", answer.Evidence, "the key may not read the versioning state");
        }

        var status = response.VersioningConfig?.Status?.Value ?? "(never enabled)";
        return new ProbeResult(Q, Probe, status == VersionStatus.Enabled.Value ? ProbeOutcome.Pass : ProbeOutcome.Fail, "GetBucketVersioning", $"Status {status}");
    }

    /// <summary>Object Lock on the bucket; also returns the configuration for the retention-mode question.</summary>
    public async Task<(ProbeResult Result, ObjectLockConfiguration? Configuration)> ObjectLockAsync(IAmazonS3 client, CancellationToken cancellationToken)
    {
        const string Probe = "Object Lock enabled";
        GetObjectLockConfigurationResponse? response = null;
        var answer = await Answer.OfAsync(async () => response = await client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = bucket }, cancellationToken));
        if (answer.Refused && answer.Status == 404)
        {
            return (new ProbeResult(Q, Probe, ProbeOutcome.Fail, "GetObjectLockConfiguration", answer.Evidence, "the bucket has no Object Lock"), null);
        }

        if (!answer.Accepted || response?.ObjectLockConfiguration is not { } configuration)
        {
            return (new ProbeResult(Q, Probe, ProbeOutcome.NotApplicable, "GetObjectLockConfiguration", answer.Evidence, "the key may not read the lock configuration"), null);
        }

        var enabled = configuration.ObjectLockEnabled?.Value ?? "(absent)";
        var outcome = enabled == ObjectLockEnabled.Enabled.Value ? ProbeOutcome.Pass : ProbeOutcome.Fail;
        return (new ProbeResult(Q, Probe, outcome, "GetObjectLockConfiguration", $"ObjectLockEnabled {enabled}"), configuration);
    }

    [GeneratedRegex("<Code>([^<]*)</Code>")]
    private static partial Regex ErrorCode();
}
