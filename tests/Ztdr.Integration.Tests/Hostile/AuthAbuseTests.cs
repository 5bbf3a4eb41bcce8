using System.Text;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Hostile;

/// <summary>
/// Abuse of authentication against a real vault: a revoked key stops at once, even on a connection it already holds
/// open; presigned URLs die when they expire; a captured request replayed outside the skew window is refused and
/// audited. (Guessing secrets is <see cref="BruteForceTests"/>: its throttling would slow every test sharing the vault.)
/// </summary>
public sealed class AuthAbuseTests(HostileVault vault) : IClassFixture<HostileVault>
{
    private const string Bucket = VaultProcess.DefaultBucket;

    [Fact]
    public async Task RevokedKey_NextRequestOnTheSameKeepAliveConnection_IsInvalidAccessKeyId()
    {
        var profile = "revoked-" + Guid.NewGuid().ToString("N")[..8];
        var create = await VaultProcess.RunVaultAsync(["keys", "create", "--data", vault.Vault.DataDirectory, "--role", "backup", "--bucket", Bucket,
            "--credentials-out", vault.Vault.CredentialsFile, "--profile-name", profile]);
        Assert.True(create.ExitCode == 0, create.ToString());
        var signer = vault.Raw.Signer(profile);
        var (accessKeyId, _) = vault.Vault.Credentials(profile);
        await using var connection = await RawConnection.OpenAsync(vault.Vault);

        async Task<RawHttpResponse> PutAsync(string name)
        {
            var target = $"/{Bucket}/revoked/{profile}/{name}";
            var body = Encoding.UTF8.GetBytes(name);
            await connection.SendAsync((byte[])[.. RawConnection.Head("PUT", target, [.. vault.SignedHeaders("PUT", target, body, signer: signer), new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))]), .. body]);
            return await connection.ReadResponseAsync() ?? throw new InvalidOperationException("the vault closed the keep-alive connection");
        }

        var before = await PutAsync("before");
        Assert.True(before.Status == 200, before.ToString());

        var revoke = await VaultProcess.RunVaultAsync(["keys", "revoke", "--data", vault.Vault.DataDirectory, accessKeyId]);
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        var after = await PutAsync("after");

        Assert.Equal(403, after.Status);
        Assert.Contains("<Code>InvalidAccessKeyId</Code>", after.Text, StringComparison.Ordinal);
        Assert.Equal(404, (await vault.Raw.SendAsync("HEAD", $"/{Bucket}/revoked/{profile}/after")).Status);
        // The first such refusal from this address in the minute is a record of its own (docs/audit-format.md, "Summaries").
        Assert.Contains(await vault.AuditAsync(), r => r.Principal == "unauthenticated" && r.Outcome == "denied:InvalidAccessKeyId");
    }

    [Fact]
    public async Task PresignedUrl_AfterItsExpiry_IsAccessDeniedRequestHasExpired()
    {
        var key = $"/{Bucket}/presigned/short-lived";
        Assert.Equal(200, (await vault.Raw.SendAsync("PUT", key, "shared"u8.ToArray())).Status);
        var url = vault.Raw.Signer().Presign("GET", key, vault.HostHeader, TimeSpan.FromSeconds(2));

        // Time must pass for the URL to expire; this waits for it, it does not measure anything.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var expired = await vault.Raw.GetUrlAsync(url);

        Assert.Equal(403, expired.Status);
        Assert.Equal("AccessDenied", expired.ErrorCode);
        Assert.Contains("<Message>Request has expired</Message>", expired.Text, StringComparison.Ordinal);
        Assert.Equal("shared", (await vault.Raw.GetUrlAsync(vault.Raw.Signer().Presign("GET", key, vault.HostHeader, TimeSpan.FromMinutes(5)))).Text);
    }

    [Fact]
    public async Task PresignedUrl_DatedInThePastWithShortExpiry_IsRefusedForEveryMethod()
    {
        var key = $"/{Bucket}/presigned/old";
        var old = vault.Raw.Signer(time: new ShiftedTime(TimeSpan.FromSeconds(-30)));
        foreach (var method in new[] { "GET", "PUT", "DELETE", "HEAD" })
        {
            var url = old.Presign(method, key, vault.HostHeader, TimeSpan.FromSeconds(10));
            var response = await vault.Raw.SendRawAsync(method, url, method == "PUT" ? "late"u8.ToArray() : null, []);
            Assert.Equal(403, response.Status);
            if (method != "HEAD")
            {
                Assert.Contains("<Message>Request has expired</Message>", response.Text, StringComparison.Ordinal);
            }
        }

        Assert.Equal(404, (await vault.Raw.SendAsync("HEAD", key)).Status);
    }

    [Fact]
    public async Task CapturedRequest_ReplayedOutsideTheSkewWindow_IsRequestTimeTooSkewedAndAudited()
    {
        // A PUT signed twenty minutes ago, as an eavesdropper would have captured it, sent now byte for byte.
        var target = $"/{Bucket}/replayed/{Guid.NewGuid():N}";
        var body = "captured"u8.ToArray();
        var captured = vault.Raw.Signer(time: new ShiftedTime(TimeSpan.FromMinutes(-20)))
            .SignHeaders("PUT", target, [new("host", vault.HostHeader)], Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)));

        var replay = await vault.Raw.SendRawAsync("PUT", target, body, captured.Headers);

        Assert.Equal(403, replay.Status);
        Assert.Equal("RequestTimeTooSkewed", replay.ErrorCode);
        Assert.Equal(404, (await vault.Raw.SendAsync("HEAD", target)).Status);
        // The first such refusal from this address in the minute is a record of its own (docs/audit-format.md, "Summaries").
        Assert.Contains(await vault.AuditAsync(), r => r.Principal == "unauthenticated" && r.Outcome == "denied:RequestTimeTooSkewed");
    }

    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
