using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// Root rewrites the stopped vault's audit history consistently — edits a record, recomputes every hash after it and
/// the head, even re-signs the checkpoints on the host — so plain <c>audit verify</c> passes. Checkpoints exported
/// off the host before the attack, verified with the public key copied off the host at init, prove it (issue 12, item 8).
/// </summary>
public sealed partial class RewrittenHistoryAttackTests
{
    [Fact]
    public async Task AuditVerifyCheckpoints_HonestVaultThatKeptWriting_ExtendsEveryCheckpoint()
    {
        await using var vault = await VaultWithOffHostCheckpointsAsync();

        // The chain grows past the exported checkpoints: it must still extend them.
        await vault.Vault.RestartAsync();
        await PutAsync(vault.Vault, "more/after-export");
        Assert.Equal(0, await vault.Vault.StopAsync());
        var verify = await VerifyAsync(vault);

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("it extends all ", verify.StandardOutput, StringComparison.Ordinal);
        var scrub = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.Vault.DataDirectory]);
        Assert.True(scrub.ExitCode == 0, scrub.ToString());
    }

    [Fact]
    public async Task AuditVerifyCheckpoints_HistoryRewrittenRehashedAndResignedOnHost_PlainVerifyPassesOffHostCopyFails()
    {
        await using var vault = await VaultWithOffHostCheckpointsAsync();
        var log = Path.Combine(vault.Vault.DataDirectory, "audit", "log.jsonl");
        var lines = File.ReadAllLines(log);
        var victim = Array.FindIndex(lines, line => line.Contains("\"operation\":\"PutObject\"", StringComparison.Ordinal));
        Assert.True(victim >= 0, "no PutObject record to rewrite");

        // Root's cover story: the version was never locked. Every later hash, the head and the host's checkpoints follow.
        lines[victim] = Regex.Replace(lines[victim], "\"principal\":\"[^\"]*\"", "\"principal\":\"someone-else\"");
        var head = Rehash(lines);
        File.WriteAllText(log, string.Concat(lines.Select(line => line + "\n")));
        File.WriteAllText(Path.Combine(vault.Vault.DataDirectory, "audit", "head"), $"{{\"v\":1,\"seq\":{lines.Length},\"hash\":\"{head}\"}}\n");
        ResignHostCheckpoints(vault.Vault.DataDirectory, lines);

        var plain = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", vault.Vault.DataDirectory]);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        var onHost = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", vault.Vault.DataDirectory, "--checkpoints", Path.Combine(vault.Vault.DataDirectory, "audit", "checkpoints.jsonl")]);
        Assert.True(onHost.ExitCode == 0, onHost.ToString());

        var offHost = await VerifyAsync(vault);
        Assert.True(offHost.ExitCode == 2, offHost.ToString());
        Assert.Contains("the chain contradicts checkpoint line ", offHost.StandardError, StringComparison.Ordinal);
        Assert.Contains("the history up to that record was rewritten", offHost.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerifyCheckpoints_ChainCutBackConsistently_Fails()
    {
        await using var vault = await VaultWithOffHostCheckpointsAsync();
        var log = Path.Combine(vault.Vault.DataDirectory, "audit", "log.jsonl");
        var lines = File.ReadAllLines(log);
        var kept = lines[..2];
        File.WriteAllText(log, string.Concat(kept.Select(line => line + "\n")));
        File.WriteAllText(Path.Combine(vault.Vault.DataDirectory, "audit", "head"), $"{{\"v\":1,\"seq\":2,\"hash\":\"{HashOf(kept[1])}\"}}\n");

        var plain = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", vault.Vault.DataDirectory]);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        var verify = await VerifyAsync(vault);
        Assert.True(verify.ExitCode == 2, verify.ToString());
        Assert.Contains("the chain ends at record 2 but checkpoint line ", verify.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hash")]
    [InlineData("seq")]
    [InlineData("other-key")]
    public async Task AuditVerifyCheckpoints_ForgedCheckpoint_IsRefused(string forgery)
    {
        await using var vault = await VaultWithOffHostCheckpointsAsync();
        var line = File.ReadAllLines(OffHostCheckpoints(vault))[^1];
        var forged = forgery switch
        {
            "hash" => Regex.Replace(line, "\"hash\":\"[0-9a-f]{64}\"", "\"hash\":\"" + new string('0', 64) + "\""),
            "seq" => Regex.Replace(line, "\"seq\":(\\d+)", m => "\"seq\":" + (long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1000)),
            _ => SignWith(ECDsa.Create(ECCurve.NamedCurves.nistP256), line),
        };
        File.AppendAllText(OffHostCheckpoints(vault), forged + "\n");

        var verify = await VerifyAsync(vault);

        Assert.True(verify.ExitCode == 2, verify.ToString());
        Assert.Contains(forgery == "other-key" ? "names signing key" : "the signature does not verify: the checkpoint was forged or altered", verify.StandardError, StringComparison.Ordinal);
    }

    /// <summary>
    /// A vault that wrote a few records and stopped (checkpointing its head at shutdown), whose checkpoints were
    /// exported and whose public key was copied to a folder standing in for "off the host".
    /// </summary>
    private static async Task<OffHostVault> VaultWithOffHostCheckpointsAsync()
    {
        var vault = await VaultProcess.StartAsync();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await PutAsync(vault, $"history/pack-{i}");
            }

            Assert.Equal(0, await vault.StopAsync());
            var offHost = new OffHostVault(vault);
            File.Copy(Path.Combine(vault.DataDirectory, "audit", "checkpoint.pub"), offHost.PublicKey);
            var export = await VaultProcess.RunVaultAsync(["audit", "checkpoints", "export", "--data", vault.DataDirectory, "--out", offHost.Checkpoints]);
            Assert.True(export.ExitCode == 0, export.ToString());
            Assert.NotEmpty(File.ReadAllLines(offHost.Checkpoints));
            return offHost;
        }
        catch
        {
            await vault.DisposeAsync();
            throw;
        }
    }

    private static Task<ProcessResult> VerifyAsync(OffHostVault vault) =>
        VaultProcess.RunVaultAsync(["audit", "verify", "--data", vault.Vault.DataDirectory, "--checkpoints", vault.Checkpoints, "--public-key", vault.PublicKey]);

    private static string OffHostCheckpoints(OffHostVault vault) => vault.Checkpoints;

    private static async Task PutAsync(VaultProcess vault, string key)
    {
        using var client = vault.CreateClient();
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = VaultProcess.DefaultBucket,
            Key = key,
            ContentBody = key,
            ObjectLockMode = Amazon.S3.ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = DateTime.UtcNow.AddDays(1),
        });
    }

    /// <summary>Recomputes every record's prev and hash by docs/audit-format.md; returns the last hash.</summary>
    private static string Rehash(string[] lines)
    {
        var previous = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("ztdr-vault audit chain v1")));
        for (var i = 0; i < lines.Length; i++)
        {
            var canonical = Canonical(lines[i]);
            canonical = PrevField().Replace(canonical, $"\"prev\":\"{previous}\"}}");
            previous = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
            lines[i] = canonical[..^1] + $",\"hash\":\"{previous}\"}}";
        }

        return previous;
    }

    private static string Canonical(string line) => line[..line.LastIndexOf(",\"hash\":", StringComparison.Ordinal)] + "}";

    private static string HashOf(string line) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(line))));

    /// <summary>What root can do on the host: sign the rewritten head with the vault's own key, in the vault's own file.</summary>
    private static void ResignHostCheckpoints(string dataDirectory, string[] lines)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(dataDirectory, "audit", "checkpoint.key")));
        var file = Path.Combine(dataDirectory, "audit", "checkpoints.jsonl");
        var resigned = File.ReadAllLines(file).Select(line =>
        {
            var seq = int.Parse(SeqField().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return SignWith(key, Regex.Replace(line, "\"hash\":\"[0-9a-f]{64}\"", $"\"hash\":\"{HashOf(lines[seq - 1])}\""));
        });
        File.WriteAllText(file, string.Concat(resigned.Select(line => line + "\n")));
    }

    /// <summary>Signs a checkpoint line's fields with <paramref name="key"/> by the rules of docs/audit-format.md.</summary>
    private static string SignWith(ECDsa key, string line)
    {
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        line = Regex.Replace(line, "\"key\":\"[0-9a-f]{64}\"", $"\"key\":\"{fingerprint}\"");
        var fields = Regex.Match(line, "\"seq\":(\\d+),\"hash\":\"([0-9a-f]{64})\",\"time\":\"([^\"]+)\"");
        var signed = Encoding.ASCII.GetBytes($"ztdr-vault audit checkpoint v1\nseq={fields.Groups[1].Value}\nhash={fields.Groups[2].Value}\ntime={fields.Groups[3].Value}\nkey={fingerprint}\n");
        var signature = Convert.ToBase64String(key.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        return Regex.Replace(line, "\"sig\":\"[^\"]*\"", $"\"sig\":\"{signature}\"");
    }

    [GeneratedRegex("\"prev\":\"[0-9a-f]{64}\"}$")]
    private static partial Regex PrevField();

    [GeneratedRegex("\"seq\":(\\d+)")]
    private static partial Regex SeqField();

    private sealed class OffHostVault(VaultProcess vault) : IAsyncDisposable
    {
        private readonly TemporaryDirectory _offHost = new();

        public VaultProcess Vault { get; } = vault;

        public string PublicKey => _offHost.Combine("checkpoint.pub");

        public string Checkpoints => _offHost.Combine("checkpoints.jsonl");

        public async ValueTask DisposeAsync()
        {
            await Vault.DisposeAsync();
            _offHost.Dispose();
        }
    }
}
