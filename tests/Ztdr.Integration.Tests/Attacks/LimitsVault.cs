using System.Text.Json;
using Amazon.S3;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// A real vault exactly as <c>ztdr-vault init --bucket</c> makes it, no limit flags: the defaults (maximum retention
/// 10 years, write-once names, no quota) are what a stolen backup key meets on a vault nobody tuned.
/// </summary>
public sealed class LimitsVault : IAsyncLifetime
{
    public const string Bucket = VaultProcess.DefaultBucket;

    private VaultProcess? _vault;
    private AmazonS3Client? _backup;
    private AmazonS3Client? _all;

    public VaultProcess Vault => _vault ?? throw new InvalidOperationException("vault not started");

    /// <summary>The key the backup software holds, and so the key an attacker steals.</summary>
    public AmazonS3Client Backup => _backup ??= Vault.CreateClient("backup");

    /// <summary>The key holding every role (admin included).</summary>
    public AmazonS3Client AllRoles => _all ??= Vault.CreateClient();

    public async Task InitializeAsync() => _vault = await VaultProcess.StartAsync();

    public async Task DisposeAsync()
    {
        _backup?.Dispose();
        _all?.Dispose();
        if (_vault is not null)
        {
            await _vault.DisposeAsync();
        }
    }

    /// <summary>The outcomes the audit log holds for <paramref name="operation"/> on (bucket, key) by the given profile's key.</summary>
    public static async Task<IReadOnlyList<string>> AuditOutcomesAsync(VaultProcess vault, string profile, string operation, string key)
    {
        var principal = vault.Credentials(profile).AccessKeyId;
        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.DataDirectory, "--json", "-n", "1000000"]);
        Assert.True(tail.ExitCode == 0, tail.ToString());
        var outcomes = new List<string>();
        foreach (var line in tail.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.GetProperty("principal").GetString() == principal
                && root.GetProperty("operation").GetString() == operation
                && root.GetProperty("key").GetString() == key)
            {
                outcomes.Add(root.GetProperty("outcome").GetString()!);
            }
        }

        return outcomes;
    }
}
