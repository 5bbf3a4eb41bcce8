using System.Security.Cryptography;
using System.Text;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>
/// <c>ztdr-vault audit verify</c> and <c>audit tail</c> as an operator runs them, against a folder written here from
/// docs/audit-format.md alone: the executable must accept a chain built by an independent reading of the spec.
/// </summary>
public sealed class AuditCommandTests
{
    private const string Genesis = "a8440f229da4cd76fdc747f577a682a1f54d8d6ab3810647ee9716770f342231";

    [Fact]
    public async Task AuditVerify_IntactChain_ExitsZeroWithCountAndHead()
    {
        using var temp = new TemporaryDirectory("audit");
        var (_, head) = WriteChain(temp, 3);

        var result = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", temp.Combine("vault")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"audit chain verified: 3 records, head {head}\n", result.StandardOutput);
    }

    [Fact]
    public async Task AuditVerify_EditedRecord_ExitsTwoNamingTheFirstBadRecord()
    {
        using var temp = new TemporaryDirectory("audit");
        var (lines, _) = WriteChain(temp, 4);
        lines[1] = lines[1].Replace("\"principal\":\"AKIDUSER2\"", "\"principal\":\"AKIDOTHER\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(LogPath(temp), string.Concat(lines.Select(line => line + "\n")));

        var result = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", temp.Combine("vault")]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.StandardOutput);
        var message = Assert.Single(result.StandardError.TrimEnd('\n').Split('\n'));
        Assert.Contains("(Edited) at line 2 (record 2)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerify_NoAuditFolder_ExitsOneWithOneLine()
    {
        using var temp = new TemporaryDirectory("audit");

        var result = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", temp.Combine("nothing-here")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.StandardError.TrimEnd('\n').Split('\n'));
        Assert.Contains("no audit folder", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditTail_Count_PrintsLastRecordsAsTableAndTheHead()
    {
        using var temp = new TemporaryDirectory("audit");
        var (_, head) = WriteChain(temp, 5);

        var result = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", temp.Combine("vault"), "-n", "2"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Matches("^SEQ +TIME \\(UTC\\) +PRINCIPAL +OPERATION +BUCKET/KEY \\[VERSION\\] +OUTCOME$", lines[0]);
        Assert.Matches("^4 +2025-06-01 12:00:04 +AKIDUSER4 +PutObject +bucket-4/data/pack-4 \\[version-4\\] +allowed$", lines[1]);
        Assert.Matches("^5 +2025-06-01 12:00:05 +AKIDUSER5 +DeleteObject +bucket-5/data/pack-5 \\[version-5\\] +denied:AccessDenied$", lines[2]);
        Assert.Equal($"head: record 5, hash {head}", lines[3]);
    }

    [Fact]
    public async Task AuditTail_Json_PrintsRecordsExactlyAsStored()
    {
        using var temp = new TemporaryDirectory("audit");
        var (stored, _) = WriteChain(temp, 5);

        var result = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", temp.Combine("vault"), "-n", "3", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(stored[2..], result.StandardOutput.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task AuditTail_KeyWithTerminalEscape_IsPrintedEscaped()
    {
        using var temp = new TemporaryDirectory("audit");
        WriteChain(temp, 1, key: "evil\\u001b[2Jkey");

        var result = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", temp.Combine("vault")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain('\u001b', result.StandardOutput);
        Assert.Contains("evil\\u001b[2Jkey", result.StandardOutput, StringComparison.Ordinal);
    }

    private static string LogPath(TemporaryDirectory temp) => temp.Combine("vault", "audit", "log.jsonl");

    /// <summary>
    /// Writes records 1..count and the head anchor by the rules of docs/audit-format.md: canonical form, SHA-256 over
    /// it, the hash inserted before the closing brace. <paramref name="key"/> is already JSON-escaped.
    /// </summary>
    private static (string[] Lines, string Head) WriteChain(TemporaryDirectory temp, int count, string? key = null)
    {
        var folder = temp.Combine("vault", "audit");
        Directory.CreateDirectory(folder);
        var lines = new string[count];
        var previous = Genesis;
        for (var n = 1; n <= count; n++)
        {
            var canonical =
                $"{{\"v\":1,\"seq\":{n},\"time\":\"2025-06-01T12:00:0{n}.0000000Z\",\"principal\":\"AKIDUSER{n}\","
                + $"\"operation\":\"{(n % 2 == 0 ? "PutObject" : "DeleteObject")}\",\"bucket\":\"bucket-{n}\",\"key\":\"{key ?? $"data/pack-{n}"}\","
                + $"\"versionId\":\"version-{n}\",\"outcome\":\"{(n == 5 ? "denied:AccessDenied" : "allowed")}\",\"source\":\"192.0.2.1\","
                + $"\"requestId\":null,\"prev\":\"{previous}\"}}";
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
            lines[n - 1] = canonical[..^1] + $",\"hash\":\"{hash}\"}}";
            previous = hash;
        }

        File.WriteAllText(Path.Combine(folder, "log.jsonl"), string.Concat(lines.Select(line => line + "\n")));
        File.WriteAllText(Path.Combine(folder, "head"), $"{{\"v\":1,\"seq\":{count},\"hash\":\"{previous}\"}}\n");
        return (lines, previous);
    }
}
