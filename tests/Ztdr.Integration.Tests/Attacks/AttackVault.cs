using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// One real vault shared by an attack class: an AWSSDK.S3 client per key the vault issues, victims written by the
/// backup key the way the backup software writes them, and every attempt made, so the class can prove at its end that
/// the audit chain verifies and holds each attempt under the attacker's key.
/// </summary>
public sealed class AttackVault : IAsyncLifetime, IAsyncDisposable
{
    public const string Bucket = VaultProcess.DefaultBucket;

    /// <summary>The keys an attacker can steal: one per role init issues, and the key holding every role.</summary>
    public const string Backup = "backup";
    public const string Admin = "admin";
    public const string Maintenance = "maintenance";
    public const string AllRoles = VaultProcess.AllRolesProfile;

    private readonly ConcurrentDictionary<string, AmazonS3Client> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    private VaultProcess? _vault;

    public VaultProcess Vault => _vault ?? throw new InvalidOperationException("vault not started");

    /// <summary>
    /// Without write-once names, so the overwrite and delete-marker attacks reach the versions they aim at and the
    /// matrix proves those versions survive; WriteOnceNameAttackTests proves init's default refuses the overwrite.
    /// </summary>
    public async Task InitializeAsync() => _vault = await VaultProcess.StartAsync(initArguments: ["--no-write-once"]);

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        if (_vault is not null)
        {
            await _vault.DisposeAsync();
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public AmazonS3Client Client(string profile) => _clients.GetOrAdd(profile, p => Vault.CreateClient(p));

    public string AccessKeyId(string profile) => Vault.Credentials(profile).AccessKeyId;

    /// <summary>
    /// A version the backup key writes with COMPLIANCE retention (and optionally a legal hold), as read back from the
    /// vault: the state every attack must leave exactly as it found it.
    /// </summary>
    public async Task<Victim> PutVictimAsync(string key, TimeSpan? retention = null, bool legalHold = false, string mode = "COMPLIANCE", string bucket = Bucket)
    {
        var data = RandomNumberGenerator.GetBytes(4096 + RandomNumberGenerator.GetInt32(4096));
        var put = await Client(Backup).PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(data),
            ObjectLockMode = ObjectLockMode.FindValue(mode),
            ObjectLockRetainUntilDate = DateTime.UtcNow + (retention ?? TimeSpan.FromDays(1)),
            ObjectLockLegalHoldStatus = legalHold ? ObjectLockLegalHoldStatus.On : null,
        });
        var stored = await Client(AllRoles).GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = bucket, Key = key, VersionId = put.VersionId });
        return new Victim(bucket, key, put.VersionId, data, stored.Retention.Mode.Value, stored.Retention.RetainUntilDate!.Value);
    }

    /// <summary>The victim version still exists, reads back byte for byte, and keeps the same mode and retain-until date.</summary>
    public async Task AssertIntactAsync(Victim victim)
    {
        var reader = Client(AllRoles);
        using (var get = await reader.GetObjectAsync(new GetObjectRequest { BucketName = victim.Bucket, Key = victim.Key, VersionId = victim.VersionId }))
        {
            Assert.Equal(victim.VersionId, get.VersionId);
            Assert.Equal(victim.Data, await S3Assert.ReadAllAsync(get.ResponseStream));
        }

        var retention = await reader.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = victim.Bucket, Key = victim.Key, VersionId = victim.VersionId });
        Assert.Equal(victim.Mode, retention.Retention.Mode.Value);
        Assert.Equal(victim.RetainUntil, retention.Retention.RetainUntilDate);
    }

    /// <summary>Remembers an attempt for the end-of-class audit check.</summary>
    public void Record(string profile, string operation, string? bucket, string? key, string outcome) =>
        _attempts.Enqueue(new Attempt(AccessKeyId(profile), operation, bucket, key, outcome));

    /// <summary>
    /// <c>ztdr-vault audit verify</c> exits 0 and <c>audit tail --json</c> holds a record for every attempt made through
    /// this vault, with the attacker's access key id as principal and the outcome the client saw.
    /// </summary>
    public async Task AssertAuditHoldsEveryAttemptAsync()
    {
        var verify = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", Vault.DataDirectory]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.StartsWith("audit chain verified: ", verify.StandardOutput, StringComparison.Ordinal);

        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", Vault.DataDirectory, "--json", "-n", "1000000"]);
        Assert.True(tail.ExitCode == 0, tail.ToString());
        var records = new Dictionary<Attempt, int>();
        foreach (var line in tail.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var record = new Attempt(
                root.GetProperty("principal").GetString()!,
                root.GetProperty("operation").GetString()!,
                root.GetProperty("bucket").GetString(),
                root.GetProperty("key").GetString(),
                root.GetProperty("outcome").GetString()!);
            records[record] = records.GetValueOrDefault(record) + 1;
        }

        var missing = new List<Attempt>();
        foreach (var group in _attempts.GroupBy(a => a))
        {
            if (records.GetValueOrDefault(group.Key) < group.Count())
            {
                missing.Add(group.Key);
            }
        }

        Assert.True(missing.Count == 0, "attempts with no audit record:\n" + string.Join('\n', missing));
    }

    /// <summary>
    /// Runs one SDK call and names its outcome as the audit log does: "allowed", or "denied:Code" where the code and its
    /// HTTP status are the reference's (s3-and-object-lock.md §1.5).
    /// </summary>
    public static async Task<string> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return "allowed";
        }
        catch (AmazonS3Exception e)
        {
            return Denied(e);
        }
    }

    /// <summary>"denied:Code" for a refusal the reference allows, with the status it gives that code.</summary>
    public static string Denied(AmazonS3Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Assert.True(
            StatusOf.TryGetValue(e.ErrorCode ?? string.Empty, out var status) && status == e.StatusCode,
            $"unexpected error {(int)e.StatusCode} {e.ErrorCode}: {e.Message}");
        return "denied:" + e.ErrorCode;
    }

    /// <summary>The only refusals an attack may meet, with the status the reference gives each.</summary>
    public static readonly IReadOnlyDictionary<string, HttpStatusCode> StatusOf = new Dictionary<string, HttpStatusCode>(StringComparer.Ordinal)
    {
        ["AccessDenied"] = HttpStatusCode.Forbidden,
        ["InvalidBucketState"] = HttpStatusCode.Conflict,
        ["BucketNotEmpty"] = HttpStatusCode.Conflict,
        ["MalformedXML"] = HttpStatusCode.BadRequest,
        ["InvalidArgument"] = HttpStatusCode.BadRequest,
        ["InvalidRequest"] = HttpStatusCode.BadRequest,
        ["InvalidRetentionPeriod"] = HttpStatusCode.BadRequest,
    };
}

/// <summary>A locked version as the vault reported it right after it was written.</summary>
public sealed record Victim(string Bucket, string Key, string VersionId, byte[] Data, string Mode, DateTime RetainUntil);

/// <summary>One attempt as the audit log should hold it.</summary>
public sealed record Attempt(string Principal, string Operation, string? Bucket, string? Key, string Outcome);
