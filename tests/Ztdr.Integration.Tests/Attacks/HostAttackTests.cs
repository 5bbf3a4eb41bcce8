using System.Text.Json;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;
using static Ztdr.Integration.Tests.Attacks.AttackVault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// The attacker on the vault's host without root: deletes the trusted-clock file, re-runs init to "factory reset",
/// edits a locked version's data file. Each test has its own vault, because each one damages it.
/// </summary>
public sealed class HostAttackTests
{
    [Fact]
    public async Task DeleteVersion_ClockFileDeletedAndRetentionPassed_StaysDeniedAndIsAudited()
    {
        await using var vault = await StartAsync();
        var victim = await vault.PutVictimAsync("host/clock/pack", retention: TimeSpan.FromSeconds(2));

        Assert.Equal(0, await vault.Vault.StopAsync());
        File.Delete(Path.Combine(vault.Vault.DataDirectory, "meta", "clock.json"));
        await vault.Vault.RestartAsync();
        var wait = victim.RetainUntil - DateTime.UtcNow + TimeSpan.FromMilliseconds(500);
        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);

        // Untrusted time fails closed: the retention date has passed by every clock, yet nothing counts as expired.
        var delete = await OutcomeAsync(() => vault.Client(Maintenance).DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = Bucket,
            Key = victim.Key,
            VersionId = victim.VersionId,
        }));
        vault.Record(Maintenance, "DeleteObject", Bucket, victim.Key, delete);

        Assert.Equal("denied:AccessDenied", delete);
        await vault.AssertIntactAsync(victim);
        await vault.AssertAuditHoldsEveryAttemptAsync();
        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.Vault.DataDirectory, "--json", "-n", "1000000"]);
        Assert.Contains(tail.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Operation(line) == "clock:untrusted");
    }

    [Fact]
    public async Task DeleteVersion_ClockFileEditedTenYearsAhead_IsUntrustedStillDeniedAndAudited()
    {
        await using var vault = await StartAsync();
        var victim = await vault.PutVictimAsync("host/clock-edit/pack", retention: TimeSpan.FromDays(1));

        // A well-formed record, ten years ahead, written while the vault is stopped: without a cross-check it would be
        // resumed as trusted time, and every retention would be over.
        Assert.Equal(0, await vault.Vault.StopAsync());
        var future = DateTime.UtcNow.AddDays(3650).ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var clockFile = Path.Combine(vault.Vault.DataDirectory, "meta", "clock.json");
        File.SetUnixFileMode(clockFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(clockFile, $"{{\"version\":1,\"trustedTime\":\"{future}\",\"wallTimeAtSave\":\"{future}\"}}");
        await vault.Vault.RestartAsync();

        var delete = await OutcomeAsync(() => vault.Client(Maintenance).DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = Bucket,
            Key = victim.Key,
            VersionId = victim.VersionId,
        }));
        vault.Record(Maintenance, "DeleteObject", Bucket, victim.Key, delete);

        Assert.Equal("denied:AccessDenied", delete);
        await vault.AssertIntactAsync(victim);
        await vault.AssertAuditHoldsEveryAttemptAsync();
        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.Vault.DataDirectory, "--json", "-n", "1000000"]);
        Assert.Contains(tail.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Operation(line) == "clock:untrusted");
    }

    [Fact]
    public async Task Init_OverRunningOrStoppedVault_RefusesAndLockedVersionSurvives()
    {
        await using var vault = await StartAsync();
        var victim = await vault.PutVictimAsync("host/reset/pack");
        var other = Path.Combine(vault.Vault.Root, "attacker-credentials");

        var whileServing = await VaultProcess.RunVaultAsync(["init", "--data", vault.Vault.DataDirectory, "--credentials-out", other, "--bucket", Bucket]);
        Assert.Equal(0, await vault.Vault.StopAsync());
        var whileStopped = await VaultProcess.RunVaultAsync(["init", "--data", vault.Vault.DataDirectory, "--credentials-out", other, "--bucket", Bucket]);
        await vault.Vault.RestartAsync();

        Assert.True(whileServing.ExitCode != 0, whileServing.ToString());
        Assert.True(whileStopped.ExitCode != 0, whileStopped.ToString());
        Assert.False(File.Exists(other), "init wrote credentials while refusing");
        await vault.AssertIntactAsync(victim);
    }

    [Fact]
    public async Task DataFile_LockedVersion_IsReadOnlyAndAnEditIsFoundByScrub()
    {
        await using var vault = await StartAsync();
        var victim = await vault.PutVictimAsync("host/tamper/pack");
        var file = Directory.EnumerateFiles(Path.Combine(vault.Vault.DataDirectory, "objects"), "*", SearchOption.AllDirectories)
            .Single(path => File.ReadAllBytes(path).AsSpan().SequenceEqual(victim.Data));

        // 0400: no stray write by the vault's own user; the owner can still chmod and root ignores modes, so what the
        // appliance promises against them is detection.
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(file));
        Assert.Equal(0, await vault.Vault.StopAsync());
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Position = 100;
            stream.WriteByte((byte)(victim.Data[100] ^ 0xFF));
        }

        var scrub = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.Vault.DataDirectory]);
        Assert.True(scrub.ExitCode == 1, scrub.ToString());
        Assert.Contains($"{Bucket}/{victim.Key}", scrub.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GuessSecret_PastFiveFailures_IsDelayedAndEveryGuessIsAudited()
    {
        await using var vault = await StartAsync();
        using var raw = new RawS3(vault.Vault);
        var guesser = raw.Signer(Maintenance, secretOverride: "guessed-secret-guessed-secret-guessed-00");
        var elapsed = new List<TimeSpan>();
        for (var guess = 0; guess < 7; guess++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var response = await raw.SendAsync("DELETE", $"/{Bucket}/host/guess?versionId=00000000000000000000000000", signer: guesser);
            elapsed.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            Assert.True((response.Status, response.ErrorCode) == (403, "SignatureDoesNotMatch"), response.ToString());
        }

        // Five free failures per source, then 250 ms, 500 ms, … (AuthFailureLimiter): guessing costs time.
        Assert.True(elapsed[5] >= TimeSpan.FromMilliseconds(200), string.Join(", ", elapsed));
        Assert.True(elapsed[6] >= TimeSpan.FromMilliseconds(450), string.Join(", ", elapsed));

        // The first guess is a record of its own, the rest are counted in its minute's summary (written at shutdown).
        Assert.Equal(0, await vault.Vault.StopAsync());
        Assert.Equal(7, (await UnauthenticatedRefusals.CountAsync(vault.Vault.DataDirectory)).GetValueOrDefault("denied:SignatureDoesNotMatch"));
    }

    private static async Task<AttackVault> StartAsync()
    {
        var vault = new AttackVault();
        await vault.InitializeAsync();
        return vault;
    }

    private static string? Operation(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.GetProperty("operation").GetString();
    }
}
