using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// Single attack steps from the holder of a stolen key, each recorded for the audit check. A step returns what the
/// attacker saw: <c>allowed</c> or the S3 error code.
/// </summary>
internal sealed class AttackSteps : IDisposable
{
    private readonly AttackVault _vault;
    private readonly RawS3 _raw;

    public AttackSteps(AttackVault vault)
    {
        _vault = vault;
        _raw = new RawS3(vault.Vault);
    }

    public void Dispose() => _raw.Dispose();

    /// <summary>One SDK call with <paramref name="profile"/>'s key, audited as <paramref name="operation"/> on (bucket, key).</summary>
    public async Task<string> SdkAsync(string profile, string operation, string bucket, string? key, Func<AmazonS3Client, Task> call)
    {
        var outcome = await AttackVault.OutcomeAsync(() => call(_vault.Client(profile)));
        _vault.Record(profile, operation, bucket, key, outcome);
        return Code(outcome);
    }

    /// <summary>
    /// DeleteObjects naming one version. A refused entry is a per-key error inside a 200 (audited per entry); a request
    /// refused as a whole (the bypass header without the permission) is audited with no key.
    /// </summary>
    public async Task<string> MultiDeleteAsync(string profile, Victim victim, bool bypass)
    {
        var request = new DeleteObjectsRequest
        {
            BucketName = victim.Bucket,
            Objects = [new KeyVersion { Key = victim.Key, VersionId = victim.VersionId }],
            BypassGovernanceRetention = bypass ? true : null,
        };
        string outcome;
        string? auditedKey = victim.Key;
        try
        {
            var response = await _vault.Client(profile).DeleteObjectsAsync(request);
            Assert.Contains(response.DeletedObjects ?? [], d => d.Key == victim.Key && d.VersionId == victim.VersionId);
            outcome = "allowed";
        }
        catch (DeleteObjectsException e)
        {
            var error = Assert.Single(e.Response.DeleteErrors);
            Assert.Equal((victim.Key, victim.VersionId), (error.Key, error.VersionId));
            outcome = "denied:" + error.Code;
        }
        catch (AmazonS3Exception e)
        {
            outcome = AttackVault.Denied(e);
            auditedKey = null;
        }

        _vault.Record(profile, "DeleteObjects", victim.Bucket, auditedKey, outcome);
        return Code(outcome);
    }

    /// <summary>
    /// PutObjectRetention with an empty <c>&lt;Retention/&gt;</c> and the bypass header: AWS's documented way to remove a
    /// GOVERNANCE lock. SDKs will not send an empty retention, so this one is hand-signed.
    /// </summary>
    public async Task<string> RemoveRetentionAsync(string profile, Victim victim)
    {
        var body = Encoding.UTF8.GetBytes("<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>");
        var response = await _raw.SendAsync(
            "PUT",
            $"/{victim.Bucket}/{victim.Key}?retention&versionId={victim.VersionId}",
            body,
            [new("content-md5", Convert.ToBase64String(MD5.HashData(body))), new("x-amz-bypass-governance-retention", "true")],
            _raw.Signer(profile));
        string outcome;
        if (response.Status == 200)
        {
            outcome = "allowed";
        }
        else
        {
            Assert.True(
                response.ErrorCode is { } code && AttackVault.StatusOf.TryGetValue(code, out var status) && (int)status == response.Status,
                response.ToString());
            outcome = "denied:" + response.ErrorCode;
        }

        _vault.Record(profile, "PutObjectRetention", victim.Bucket, victim.Key, outcome);
        return Code(outcome);
    }

    private static string Code(string outcome) => outcome.StartsWith("denied:", StringComparison.Ordinal) ? outcome["denied:".Length..] : outcome;
}
