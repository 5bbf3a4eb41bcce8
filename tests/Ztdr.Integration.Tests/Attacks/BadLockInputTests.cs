using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;
using static Ztdr.Integration.Tests.Attacks.AttackVault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// Hostile lock input, hand-signed with the all-roles key against a COMPLIANCE-locked version: malformed XML, dates in
/// the past, unknown modes, lower-case enums, missing integrity headers. Each gets the reference's error
/// (s3-and-object-lock.md §1.5), and nothing changes: not the version, its retention, its legal hold, the bucket's
/// lock configuration, nor the key's list of versions.
/// </summary>
[TestCaseOrderer(RunLastOrderer.TypeName, RunLastOrderer.AssemblyName)]
public sealed class BadLockInputTests : IClassFixture<AttackVault>, IDisposable
{
    private const string Ns = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";
    private readonly AttackVault _vault;
    private readonly RawS3 _raw;

    public BadLockInputTests(AttackVault vault)
    {
        _vault = vault;
        _raw = new RawS3(vault.Vault);
    }

    /// <summary>
    /// Case → (sub-resource: retention, legal-hold, object-lock or a PutObject with headers "name=value;…"), body,
    /// whether Content-MD5 is sent, and the status and code the reference gives. {future} and {past} are dates.
    /// </summary>
    public static TheoryData<string, string, string, bool, int, string> Cases => new()
    {
        { "retention-unclosed-xml", "retention", $"<Retention {Ns}><Mode>COMPLIANCE</Mode>", true, 400, "MalformedXML" },
        { "retention-not-xml", "retention", "COMPLIANCE until forever", true, 400, "MalformedXML" },
        { "retention-lower-case-mode", "retention", $"<Retention {Ns}><Mode>compliance</Mode><RetainUntilDate>{{future}}</RetainUntilDate></Retention>", true, 400, "MalformedXML" },
        { "retention-unknown-mode", "retention", $"<Retention {Ns}><Mode>ABC</Mode><RetainUntilDate>{{future}}</RetainUntilDate></Retention>", true, 400, "MalformedXML" },
        { "retention-mode-without-date", "retention", $"<Retention {Ns}><Mode>GOVERNANCE</Mode></Retention>", true, 400, "MalformedXML" },
        { "retention-date-without-mode", "retention", $"<Retention {Ns}><RetainUntilDate>{{future}}</RetainUntilDate></Retention>", true, 400, "MalformedXML" },
        { "retention-date-in-past", "retention", $"<Retention {Ns}><Mode>COMPLIANCE</Mode><RetainUntilDate>{{past}}</RetainUntilDate></Retention>", true, 400, "InvalidArgument" },
        { "retention-governance-date-in-past", "retention", $"<Retention {Ns}><Mode>GOVERNANCE</Mode><RetainUntilDate>{{past}}</RetainUntilDate></Retention>", true, 400, "InvalidArgument" },
        { "retention-no-integrity-header", "retention", $"<Retention {Ns}><Mode>COMPLIANCE</Mode><RetainUntilDate>{{future}}</RetainUntilDate></Retention>", false, 400, "InvalidRequest" },
        { "legal-hold-lower-case", "legal-hold", $"<LegalHold {Ns}><Status>on</Status></LegalHold>", true, 400, "MalformedXML" },
        { "legal-hold-unknown-status", "legal-hold", $"<LegalHold {Ns}><Status>MAYBE</Status></LegalHold>", true, 400, "MalformedXML" },
        { "legal-hold-no-integrity-header", "legal-hold", $"<LegalHold {Ns}><Status>ON</Status></LegalHold>", false, 400, "InvalidRequest" },
        { "lock-config-disabled", "object-lock", $"<ObjectLockConfiguration {Ns}><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>", true, 400, "MalformedXML" },
        { "lock-config-lower-case-enabled", "object-lock", $"<ObjectLockConfiguration {Ns}><ObjectLockEnabled>enabled</ObjectLockEnabled></ObjectLockConfiguration>", true, 400, "MalformedXML" },
        { "lock-config-lower-case-mode", "object-lock", LockRule("<Mode>governance</Mode><Days>1</Days>"), true, 400, "MalformedXML" },
        { "lock-config-unknown-mode", "object-lock", LockRule("<Mode>ABC</Mode><Days>1</Days>"), true, 400, "MalformedXML" },
        { "lock-config-days-and-years", "object-lock", LockRule("<Mode>COMPLIANCE</Mode><Days>1</Days><Years>1</Years>"), true, 400, "MalformedXML" },
        { "lock-config-zero-days", "object-lock", LockRule("<Mode>COMPLIANCE</Mode><Days>0</Days>"), true, 400, "InvalidRetentionPeriod" },
        { "lock-config-negative-years", "object-lock", LockRule("<Mode>COMPLIANCE</Mode><Years>-1</Years>"), true, 400, "InvalidRetentionPeriod" },
        { "lock-config-no-integrity-header", "object-lock", LockRule("<Mode>COMPLIANCE</Mode><Days>1</Days>"), false, 400, "InvalidRequest" },
        { "lock-config-unclosed-xml", "object-lock", $"<ObjectLockConfiguration {Ns}><ObjectLockEnabled>Enabled", true, 400, "MalformedXML" },
        { "put-lower-case-mode", "put:x-amz-object-lock-mode=compliance;x-amz-object-lock-retain-until-date={future}", "new data", true, 400, "InvalidArgument" },
        { "put-unknown-mode", "put:x-amz-object-lock-mode=ABC;x-amz-object-lock-retain-until-date={future}", "new data", true, 400, "InvalidArgument" },
        { "put-date-in-past", "put:x-amz-object-lock-mode=COMPLIANCE;x-amz-object-lock-retain-until-date={past}", "new data", true, 400, "InvalidArgument" },
        { "put-unparsable-date", "put:x-amz-object-lock-mode=COMPLIANCE;x-amz-object-lock-retain-until-date=tomorrow", "new data", true, 400, "InvalidArgument" },
        { "put-mode-without-date", "put:x-amz-object-lock-mode=COMPLIANCE", "new data", true, 400, "InvalidArgument" },
        { "put-lower-case-legal-hold", "put:x-amz-object-lock-legal-hold=on", "new data", true, 400, "InvalidArgument" },
    };

    public void Dispose() => _raw.Dispose();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PutLockInput_Hostile_IsRefusedWithReferenceCodeAndChangesNothing(string name, string target, string body, bool integrity, int status, string code)
    {
        var victim = await _vault.PutVictimAsync($"bad-input/{name}/pack");
        var bytes = Encoding.UTF8.GetBytes(Dates(body));
        var headers = new List<KeyValuePair<string, string>>();
        if (integrity)
        {
            headers.Add(new("content-md5", Convert.ToBase64String(MD5.HashData(bytes))));
        }

        var (operation, path, auditedKey) = target switch
        {
            "retention" => ("PutObjectRetention", $"/{Bucket}/{victim.Key}?retention&versionId={victim.VersionId}", victim.Key),
            "legal-hold" => ("PutObjectLegalHold", $"/{Bucket}/{victim.Key}?legal-hold&versionId={victim.VersionId}", victim.Key),
            "object-lock" => ("PutObjectLockConfiguration", $"/{Bucket}?object-lock", (string?)null),
            _ => ("PutObject", $"/{Bucket}/{victim.Key}", victim.Key),
        };
        if (target.StartsWith("put:", StringComparison.Ordinal))
        {
            foreach (var header in target["put:".Length..].Split(';'))
            {
                var (headerName, value) = (header[..header.IndexOf('=', StringComparison.Ordinal)], header[(header.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                headers.Add(new(headerName, Dates(value)));
            }
        }

        var response = await _raw.SendAsync("PUT", path, bytes, headers, _raw.Signer(AllRoles));
        _vault.Record(AllRoles, operation, Bucket, auditedKey, "denied:" + response.ErrorCode);

        Assert.True((response.Status, response.ErrorCode) == (status, code), response.ToString());
        await _vault.AssertIntactAsync(victim);
        var client = _vault.Client(AllRoles);
        var versions = await client.ListVersionsAsync(new ListVersionsRequest { BucketName = Bucket, Prefix = victim.Key });
        Assert.Equal([victim.VersionId], versions.Versions.Select(v => v.VersionId));
        await S3Assert.FailsWith("NoSuchObjectLockConfiguration", HttpStatusCode.BadRequest, () => client.GetObjectLegalHoldAsync(new GetObjectLegalHoldRequest
        {
            BucketName = Bucket,
            Key = victim.Key,
            VersionId = victim.VersionId,
        }));
        var configuration = await client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = Bucket });
        Assert.Null(configuration.ObjectLockConfiguration.Rule);
    }

    [Fact]
    [RunLast]
    public async Task AuditChain_AfterEveryHostileInput_VerifiesAndHoldsEachAttempt() => await _vault.AssertAuditHoldsEveryAttemptAsync();

    private static string LockRule(string defaultRetention) =>
        $"<ObjectLockConfiguration {Ns}><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>{defaultRetention}</DefaultRetention></Rule></ObjectLockConfiguration>";

    private static string Dates(string text) => text
        .Replace("{future}", DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{past}", "2020-01-01T00:00:00.000Z", StringComparison.Ordinal);
}
