using System.Globalization;
using System.Text.RegularExpressions;
using Ztdr.Integration.Tests.Compat;
using static Ztdr.Integration.Tests.Attacks.AttackVault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>The attacks an operator's shell would try, through the aws CLI with a stolen key's profile.</summary>
public enum CliAttack
{
    /// <summary>s3api delete-object --version-id.</summary>
    DeleteVersion,

    /// <summary>s3api delete-object --version-id --bypass-governance-retention.</summary>
    DeleteVersionBypassingGovernance,

    /// <summary>s3api put-object-retention with an earlier date.</summary>
    ShortenRetention,

    /// <summary>s3api put-object-retention switching to GOVERNANCE with --bypass-governance-retention.</summary>
    SwitchToGovernance,

    /// <summary>s3api put-bucket-versioning --versioning-configuration Status=Suspended.</summary>
    SuspendVersioning,

    /// <summary>s3api delete-bucket.</summary>
    DeleteBucket,
}

/// <summary>
/// The stolen-key attacks again, through the installed aws CLI with each key's profile (shared credentials file, CA
/// bundle, nothing else configured): same codes, the version intact, every attempt in the audit chain.
/// </summary>
[TestCaseOrderer(RunLastOrderer.TypeName, RunLastOrderer.AssemblyName)]
public sealed partial class AwsCliAttackTests : IClassFixture<AttackVault>
{
    private readonly AttackVault _vault;

    public AwsCliAttackTests(AttackVault vault)
    {
        _vault = vault;
    }

    /// <summary>Attack × key → the S3 error code the CLI reports.</summary>
    public static TheoryData<CliAttack, string, string> Matrix => new()
    {
        { CliAttack.DeleteVersion, Backup, "AccessDenied" },
        { CliAttack.DeleteVersion, Admin, "AccessDenied" },
        { CliAttack.DeleteVersion, Maintenance, "AccessDenied" },
        { CliAttack.DeleteVersion, AllRoles, "AccessDenied" },
        { CliAttack.DeleteVersionBypassingGovernance, Maintenance, "AccessDenied" },
        { CliAttack.DeleteVersionBypassingGovernance, AllRoles, "AccessDenied" },
        { CliAttack.ShortenRetention, Backup, "AccessDenied" },
        { CliAttack.ShortenRetention, Admin, "AccessDenied" },
        { CliAttack.ShortenRetention, Maintenance, "AccessDenied" },
        { CliAttack.ShortenRetention, AllRoles, "AccessDenied" },
        { CliAttack.SwitchToGovernance, Backup, "AccessDenied" },
        { CliAttack.SwitchToGovernance, AllRoles, "AccessDenied" },
        { CliAttack.SuspendVersioning, Backup, "AccessDenied" },
        { CliAttack.SuspendVersioning, Admin, "InvalidBucketState" },
        { CliAttack.SuspendVersioning, Maintenance, "AccessDenied" },
        { CliAttack.SuspendVersioning, AllRoles, "InvalidBucketState" },
        { CliAttack.DeleteBucket, Backup, "AccessDenied" },
        { CliAttack.DeleteBucket, Admin, "BucketNotEmpty" },
        { CliAttack.DeleteBucket, Maintenance, "AccessDenied" },
        { CliAttack.DeleteBucket, AllRoles, "BucketNotEmpty" },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task AwsCli_StolenKeyProfileAttacksLockedVersion_FailsAndVersionIsIntact(CliAttack attack, string key, string expected)
    {
        var victim = await _vault.PutVictimAsync($"cli/{attack}/{key}/pack");
        var cli = new AwsCli(_vault.Vault, new Dictionary<string, string> { ["AWS_PROFILE"] = key });
        var earlier = (victim.RetainUntil.AddHours(-12)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var same = victim.RetainUntil.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var (operation, objectKey, arguments) = attack switch
        {
            CliAttack.DeleteVersion => ("DeleteObject", victim.Key, new[] { "s3api", "delete-object", "--bucket", Bucket, "--key", victim.Key, "--version-id", victim.VersionId }),
            CliAttack.DeleteVersionBypassingGovernance => ("DeleteObject", victim.Key, ["s3api", "delete-object", "--bucket", Bucket, "--key", victim.Key, "--version-id", victim.VersionId, "--bypass-governance-retention"]),
            CliAttack.ShortenRetention => ("PutObjectRetention", victim.Key, ["s3api", "put-object-retention", "--bucket", Bucket, "--key", victim.Key, "--version-id", victim.VersionId, "--retention", $"Mode=COMPLIANCE,RetainUntilDate={earlier}"]),
            CliAttack.SwitchToGovernance => ("PutObjectRetention", victim.Key, ["s3api", "put-object-retention", "--bucket", Bucket, "--key", victim.Key, "--version-id", victim.VersionId, "--retention", $"Mode=GOVERNANCE,RetainUntilDate={same}", "--bypass-governance-retention"]),
            CliAttack.SuspendVersioning => ("PutBucketVersioning", (string?)null, ["s3api", "put-bucket-versioning", "--bucket", Bucket, "--versioning-configuration", "Status=Suspended"]),
            CliAttack.DeleteBucket => ("DeleteBucket", null, ["s3api", "delete-bucket", "--bucket", Bucket]),
            _ => throw new ArgumentOutOfRangeException(nameof(attack), attack, null),
        };

        var result = await cli.RunAsync(arguments);

        Assert.True(result.ExitCode != 0, cli.Describe(arguments, result));
        var code = ErrorCode().Match(result.StandardError);
        Assert.True(code.Success, cli.Describe(arguments, result));
        Assert.Equal(expected, code.Groups[1].Value);
        _vault.Record(key, operation, Bucket, objectKey, "denied:" + expected);
        await _vault.AssertIntactAsync(victim);
    }

    [Fact]
    [RunLast]
    public async Task AuditChain_AfterEveryCliAttack_VerifiesAndHoldsEachAttempt() => await _vault.AssertAuditHoldsEveryAttemptAsync();

    /// <summary>How the CLI reports an S3 error: "An error occurred (Code) when calling the X operation: message".</summary>
    [GeneratedRegex(@"An error occurred \((\w+)\) when calling the \w+ operation")]
    private static partial Regex ErrorCode();
}
