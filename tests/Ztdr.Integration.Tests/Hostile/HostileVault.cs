using System.Security.Cryptography;
using System.Text;
using Xunit.Abstractions;
using Xunit.Sdk;
using Ztdr.Integration.Tests.Vault;
using Ztdr.S3.Signing;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Hostile;

/// <summary>
/// A real vault for hostile-input tests: remembers every file beside its data folder at start, so a test can prove
/// that no request wrote outside the data folder, and checks after each attack that the vault still serves a plain
/// PUT and GET. Counts the hostile requests sent, for docs/reliability.md.
/// </summary>
public sealed class HostileVault(IMessageSink diagnostics) : IAsyncLifetime
{
    /// <summary>In every hostile key, so a file that escaped the data folder would carry it in its name.</summary>
    public const string Marker = "zz-hostile-marker";

    private VaultProcess? _vault;
    private HashSet<string> _outsideAtStart = [];
    private int _cases;

    public VaultProcess Vault => _vault ?? throw new InvalidOperationException("vault not started");

    internal RawS3 Raw { get; private set; } = null!;

    /// <summary>Hostile requests sent so far through this vault.</summary>
    public int Cases => _cases;

    public string HostHeader => $"127.0.0.1:{Vault.Port}";

    public async Task InitializeAsync()
    {
        _vault = await VaultProcess.StartAsync();
        Raw = new RawS3(_vault);
        _outsideAtStart = FilesOutsideDataFolder();
    }

    public async Task DisposeAsync()
    {
        diagnostics.OnMessage(new DiagnosticMessage($"hostile requests sent to one vault: {_cases}"));
        Raw?.Dispose();
        if (_vault is not null)
        {
            await _vault.DisposeAsync();
        }
    }

    public void Count(int cases = 1) => Interlocked.Add(ref _cases, cases);

    public SigV4Signer Signer() => Raw.Signer();

    /// <summary>Headers of a request signed over <paramref name="body"/> (or over <paramref name="payloadHash"/>), Host first.</summary>
    public List<KeyValuePair<string, string>> SignedHeaders(
        string method, string target, byte[] body, IEnumerable<KeyValuePair<string, string>>? extra = null, string? payloadHash = null, SigV4Signer? signer = null)
    {
        var signed = (signer ?? Signer()).SignHeaders(method, target, [new("host", HostHeader), .. extra ?? []], payloadHash ?? Convert.ToHexStringLower(SHA256.HashData(body)));
        return [new("Host", HostHeader), .. signed.Headers.Where(h => h.Key != "host")];
    }

    /// <summary>
    /// What every answer to hostile input must be: no 500, and no stack trace or exception name in the body. An error
    /// body, when there is one, is S3's XML error.
    /// </summary>
    public static void AssertCleanRefusal(int status, string body, string what)
    {
        Assert.True(status != 500, $"{what}: 500 {body}");
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        if (status >= 400 && body.Length > 0 && body.TrimStart().StartsWith('<'))
        {
            Assert.Contains("<Error>", body, StringComparison.Ordinal);
        }
    }

    /// <summary>The vault still takes a plain signed PUT and returns the same bytes on GET.</summary>
    public async Task AssertStillServesAsync()
    {
        var key = $"/{VaultProcess.DefaultBucket}/still-serving/{Guid.NewGuid():N}";
        var data = Encoding.UTF8.GetBytes("still serving " + key);
        var put = await Raw.SendAsync("PUT", key, data);
        Assert.True(put.Status == 200, put.ToString());
        var get = await Raw.SendAsync("GET", key);
        Assert.Equal(data, get.Body);
    }

    /// <summary>Every audit record's outcome, in order, from <c>ztdr-vault audit tail --json</c>; the chain is verified first.</summary>
    public async Task<List<(string Principal, string Operation, string Outcome)>> AuditAsync()
    {
        var verify = await VaultProcess.RunVaultAsync(["audit", "verify", "--data", Vault.DataDirectory]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", Vault.DataDirectory, "--json", "-n", "1000000"]);
        Assert.True(tail.ExitCode == 0, tail.ToString());
        return [.. tail.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var document = System.Text.Json.JsonDocument.Parse(line);
            var root = document.RootElement;
            return (root.GetProperty("principal").GetString()!, root.GetProperty("operation").GetString()!, root.GetProperty("outcome").GetString()!);
        })];
    }

    /// <summary>
    /// No file appeared beside the data folder, and none carrying the marker in the folders a "../" key could reach
    /// (the test root, the temp folder, the file-system root). Those are scanned one level deep only: other tests create
    /// and delete folders there all the time.
    /// </summary>
    public void AssertNothingWrittenOutsideDataFolder()
    {
        Assert.Empty(FilesOutsideDataFolder().Except(_outsideAtStart));
        var reachable = new[] { Path.GetDirectoryName(Vault.Root)!, Path.GetTempPath(), Path.GetPathRoot(Vault.Root)! };
        Assert.Empty(reachable.Distinct(StringComparer.Ordinal).SelectMany(folder => Directory.EnumerateFileSystemEntries(folder, $"*{Marker}*")));
    }

    private HashSet<string> FilesOutsideDataFolder() =>
        Directory.EnumerateFileSystemEntries(Vault.Root, "*", SearchOption.AllDirectories)
            .Where(path => path != Vault.DataDirectory && !path.StartsWith(Vault.DataDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
}
