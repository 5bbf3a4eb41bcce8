using Ztdr.Integration.Tests.Vault;
using Ztdr.S3.Signing;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Hostile;

/// <summary>
/// Guessing secrets from one source against a real vault of its own (the throttling it provokes holds for minutes).
/// The AuthFailureLimiter first delays the failing requests, then answers them with 503 SlowDown; the key's holder,
/// whose signature verifies, is served throughout (issue 12, item 1). Every guess, including those whose client hung
/// up while held back, is in the audit log, and the hash chain verifies. Asserted on responses and audit records,
/// never on timing.
/// </summary>
public sealed class BruteForceTests(HostileVault vault) : IClassFixture<HostileVault>
{
    private const int Guesses = 16;
    private const int HungUp = 3;

    [Fact]
    public async Task GuessingSecrets_OfKnownAndUnknownKeys_IsThrottledToSlowDownAndEveryGuessIsAudited()
    {
        var target = $"/{VaultProcess.DefaultBucket}/brute/victim";
        var wrongSecret = vault.Raw.Signer("backup", secretOverride: "guessed-secret-guessed-secret-guessed-00");
        var unknownKey = new SigV4Signer("ZVUNKNOWNKEY00000000", "guessed-secret-guessed-secret-guessed-00", "us-east-1", TimeProvider.System);

        // Concurrent guesses: each one's delay runs alongside the others, so the flood reaches the refusal level quickly.
        var known = await Task.WhenAll(Enumerable.Range(0, Guesses).Select(_ => vault.Raw.SendAsync("DELETE", target, signer: wrongSecret)));
        Assert.All(known, r => Assert.True(r is { Status: 403, ErrorCode: "SignatureDoesNotMatch" }, r.ToString()));

        // Past the free allowance a guess is held back; these guessers hang up while held back.
        for (var i = 0; i < HungUp; i++)
        {
            await using var connection = await RawConnection.OpenAsync(vault.Vault);
            await connection.SendAsync(RawConnection.Head("DELETE", target, vault.SignedHeaders("DELETE", target, [], signer: wrongSecret)));
        }

        // Guessing on, one at a time, until the key's party is far enough over its allowance to get SlowDown at once.
        var more = new List<RawResponse>();
        while (more.Count < 10 && more.LastOrDefault()?.Status != 503)
        {
            more.Add(await vault.Raw.SendAsync("DELETE", target, signer: wrongSecret));
        }

        Assert.All(more, r => Assert.True(r is { Status: 403, ErrorCode: "SignatureDoesNotMatch" } or { Status: 503, ErrorCode: "SlowDown" }, r.ToString()));
        Assert.Equal("SlowDown", more[^1].ErrorCode);

        var unknown = await Task.WhenAll(Enumerable.Range(0, Guesses).Select(_ => vault.Raw.SendAsync("DELETE", target, signer: unknownKey)));
        Assert.All(unknown, r => Assert.True(r is { Status: 403, ErrorCode: "InvalidAccessKeyId" } or { Status: 503, ErrorCode: "SlowDown" }, r.ToString()));

        // The key's real holder, from the same address, is served: only failing requests meet the limiter.
        var honest = await vault.Raw.SendAsync("DELETE", target, signer: vault.Raw.Signer("backup"));
        Assert.True(honest.Status == 204, honest.ToString());
        vault.Count((2 * Guesses) + HungUp + more.Count + 1);

        // Every attempt is audited: the first of each outcome in the minute as a record of its own, the rest counted in
        // summaries written at shutdown. The hung-up guessers are counted before their delay; wait until the vault has
        // answered (or dropped) all of them, then stop it.
        var signatureMismatches = Guesses + HungUp + more.Count(r => r.Status == 403);
        var deadline = DateTime.UtcNow + RawConnection.SafetyNet;
        while (Answered(vault.Vault.Log, "SignatureDoesNotMatch") < signatureMismatches && DateTime.UtcNow < deadline && await Delay())
        {
        }

        Assert.Equal(0, await vault.Vault.StopAsync());
        var refusals = await UnauthenticatedRefusals.CountAsync(vault.Vault.DataDirectory);
        Assert.Equal(signatureMismatches, refusals.GetValueOrDefault("denied:SignatureDoesNotMatch"));
        Assert.Equal(Guesses + 1, refusals.GetValueOrDefault("denied:InvalidAccessKeyId") + refusals.GetValueOrDefault("denied:SlowDown"));
        Assert.True(refusals.GetValueOrDefault("denied:SlowDown") >= 1);
        var audit = await vault.AuditAsync();
        Assert.All(audit.Where(r => r.Outcome != "allowed" && r.Operation != "audit:summary"), r => Assert.Equal("DELETE", r.Operation));
        Assert.Contains(audit, r => r is { Operation: "DeleteObject", Outcome: "allowed" });
    }

    /// <summary>Requests the vault logged as answered with <paramref name="code"/> (one log line per request).</summary>
    private static int Answered(string log, string code) =>
        log.Split('\n').Count(line => line.Contains($"\"ErrorCode\":\"{code}\"", StringComparison.Ordinal));

    private static async Task<bool> Delay()
    {
        await Task.Delay(500);
        return true;
    }
}
