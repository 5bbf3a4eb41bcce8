using System.Text;
using Ztdr.Integration.Tests.Vault;
using Ztdr.S3.Signing;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Hostile;

/// <summary>
/// Issue 12, item 1: anyone who could reach the port locked every valid key out, because failed authentications were
/// counted per source and a throttled source was refused before its signature was even checked. Each test floods a
/// vault of its own from the same address the honest client uses (127.0.0.1) and asserts that every request whose
/// signature verifies is served, while the failing ones are refused with S3 errors. Asserted on status codes only.
/// </summary>
public sealed class KeyLockoutTests
{
    private const string Bucket = VaultProcess.DefaultBucket;
    private const int Flood = 40;

    [Fact]
    public async Task BadSignaturesForTheBackupKey_FromTheHonestClientsAddress_NeverRefuseTheBackupKeysValidRequests()
    {
        await using var vault = await VaultProcess.StartAsync();
        using var raw = new RawS3(vault);
        var honest = raw.Signer("backup");
        var forger = raw.Signer("backup", secretOverride: "guessed-secret-guessed-secret-guessed-00");

        // Far past the level at which the old limiter refused the whole source (20 failures).
        var bad = await Task.WhenAll(Enumerable.Range(0, Flood).Select(i => raw.SendAsync("PUT", $"/{Bucket}/lockout/forged-{i}", Encoding.UTF8.GetBytes("x"), signer: forger)));
        AssertRefusedAsFailedAuthentication(bad);

        // Interleaved: a bad request, then a valid one, as the one-per-second attacker of the issue did.
        for (var i = 0; i < 10; i++)
        {
            AssertRefusedAsFailedAuthentication([await raw.SendAsync("GET", $"/{Bucket}/lockout/forged-{i}", signer: forger)]);
            var put = await raw.SendAsync("PUT", $"/{Bucket}/lockout/honest-{i}", Encoding.UTF8.GetBytes("honest " + i), signer: honest);
            Assert.True(put.Status == 200, "valid PUT after the flood: " + put);
            var get = await raw.SendAsync("GET", $"/{Bucket}/lockout/honest-{i}", signer: honest);
            Assert.True(get.Status == 200 && get.Text == "honest " + i, "valid GET after the flood: " + get);
        }

        // The forged requests stored nothing.
        Assert.Equal(404, (await raw.SendAsync("HEAD", $"/{Bucket}/lockout/forged-0", signer: honest)).Status);
    }

    [Fact]
    public async Task UnknownKeysAndGarbageFromTheHonestClientsAddress_NeverRefuseAnyValidKey()
    {
        await using var vault = await VaultProcess.StartAsync();
        using var raw = new RawS3(vault);
        var unknown = new SigV4Signer("ZVUNKNOWNKEY00000000", "guessed-secret-guessed-secret-guessed-00", "us-east-1", TimeProvider.System);

        var bad = await Task.WhenAll(Enumerable.Range(0, Flood).Select(i => i % 2 == 0
            ? raw.SendAsync("GET", $"/{Bucket}/lockout/unknown-{i}", signer: unknown)
            : raw.SendRawAsync("PUT", $"/{Bucket}/lockout/unsigned-{i}", Encoding.UTF8.GetBytes("x"), [])));
        Assert.All(bad, r => Assert.True(r.Status is 403 or 503 && r.ErrorCode is "InvalidAccessKeyId" or "AccessDenied" or "SlowDown", r.ToString()));

        foreach (var profile in new[] { "backup", "reader", VaultProcess.AllRolesProfile })
        {
            var list = await raw.SendAsync("GET", $"/{Bucket}?list-type=2", signer: raw.Signer(profile));
            Assert.True(list.Status == 200, $"{profile} after the flood: {list}");
        }
    }

    private static void AssertRefusedAsFailedAuthentication(IEnumerable<RawResponse> responses) =>
        Assert.All(responses, r => Assert.True(
            r is { Status: 403, ErrorCode: "SignatureDoesNotMatch" } or { Status: 503, ErrorCode: "SlowDown" } || (r.Status is 403 or 503 && r.Body.Length == 0),
            r.ToString()));
}
