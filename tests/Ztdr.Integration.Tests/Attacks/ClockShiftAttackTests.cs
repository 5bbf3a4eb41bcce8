using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;
using Ztdr.Testing;
using static Ztdr.Integration.Tests.Attacks.AttackVault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// The attacker who can set the host's clock: the vault is stopped and started again under Debian's libfaketime with
/// the wall clock ten years ahead, far past every retention. Retention follows the vault's trusted time, which resumes
/// from its persisted value and advances only with the monotonic clock, so nothing expires; request times are judged by
/// the same trusted clock, so honest clients signing with true time keep working and the jump is an alert, not an outage.
/// </summary>
public sealed class ClockShiftAttackTests : IClassFixture<AttackVault>
{
    /// <summary>Where Debian's faketime package (scripts/deps.sh) puts the preload library.</summary>
    private const string LibFakeTime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    private static readonly TimeSpan TenYears = TimeSpan.FromDays(3650);

    private readonly AttackVault _vault;

    public ClockShiftAttackTests(AttackVault vault)
    {
        _vault = vault;
    }

    [Fact]
    public async Task DeleteVersion_VaultRestartedWithWallClockTenYearsAhead_StillDeniedAndStillLockedAfterwards()
    {
        Assert.True(File.Exists(LibFakeTime), $"{LibFakeTime} is missing; run scripts/deps.sh (Debian package faketime).");
        var victim = await _vault.PutVictimAsync("clock/pack", retention: TimeSpan.FromDays(1));
        var vault = _vault.Vault;

        Assert.Equal(0, await vault.StopAsync());
        vault.ServeEnvironment["LD_PRELOAD"] = LibFakeTime;
        vault.ServeEnvironment["FAKETIME"] = "+3650d";
        await vault.RestartAsync();

        using (var raw = new RawS3(vault))
        {
            // Honest clients sign with true time and keep working: request times are judged by the trusted clock, not by
            // the host's wall clock. A request signed at the shifted time is what the vault refuses now.
            var future = new ShiftedTime(TenYears);
            var honest = await raw.SendAsync("GET", $"/{Bucket}/{victim.Key}?versionId={victim.VersionId}", signer: raw.Signer(Backup));
            Assert.True(honest.Status == 200, $"a backup client signing with true time: {honest}");
            Assert.Equal(victim.Data, honest.Body);
            var shifted = await raw.SendAsync("GET", $"/{Bucket}/{victim.Key}?versionId={victim.VersionId}", signer: raw.Signer(AllRoles, future));
            Assert.Equal((403, "RequestTimeTooSkewed"), (shifted.Status, shifted.ErrorCode));

            foreach (var key in new[] { Maintenance, AllRoles })
            {
                // Signed with true time, so the attempt reaches the lock engine, which judges by trusted time.
                var delete = await raw.SendAsync(
                    "DELETE",
                    $"/{Bucket}/{victim.Key}?versionId={victim.VersionId}",
                    headers: [new("x-amz-bypass-governance-retention", "true")],
                    signer: raw.Signer(key));
                Assert.True((delete.Status, delete.ErrorCode) == (403, "AccessDenied"), $"{key}: {delete}");
                _vault.Record(key, "DeleteObject", Bucket, victim.Key, "denied:AccessDenied");
            }

            var get = await raw.SendAsync("GET", $"/{Bucket}/{victim.Key}?versionId={victim.VersionId}", signer: raw.Signer(AllRoles));
            Assert.Equal(200, get.Status);
            Assert.Equal(victim.Data, get.Body);
            var retention = await raw.SendAsync("GET", $"/{Bucket}/{victim.Key}?retention&versionId={victim.VersionId}", signer: raw.Signer(AllRoles));
            var until = XDocument.Parse(retention.Text).Root!.Elements().Single(e => e.Name.LocalName == "RetainUntilDate").Value;
            Assert.Equal(victim.RetainUntil, DateTime.Parse(until, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));

            // The jump is visible in health and audited, not an outage.
            using var health = JsonDocument.Parse(await vault.AdminGetAsync("/admin/v1/health"));
            Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
            Assert.True(health.RootElement.GetProperty("clockTrusted").GetBoolean());
            Assert.True(health.RootElement.GetProperty("wallClockJumpedAtStart").GetBoolean());
            Assert.True(health.RootElement.GetProperty("wallClockAheadSeconds").GetDouble() > TimeSpan.FromDays(3000).TotalSeconds);
        }

        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.DataDirectory, "--json", "-n", "1000000"]);
        Assert.Contains(tail.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Operation(line) == "clock:jump");

        Assert.Equal(0, await vault.StopAsync());
        vault.ServeEnvironment.Clear();
        await vault.RestartAsync();

        var afterwards = await OutcomeAsync(() => _vault.Client(Maintenance).DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = victim.Key, VersionId = victim.VersionId }));
        Assert.Equal("denied:AccessDenied", afterwards);
        _vault.Record(Maintenance, "DeleteObject", Bucket, victim.Key, "denied:AccessDenied");
        await _vault.AssertIntactAsync(victim);
        await _vault.AssertAuditHoldsEveryAttemptAsync();
    }

    private static string? Operation(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.GetProperty("operation").GetString();
    }

    /// <summary>The host's clock as the attacker set it, for signing requests the shifted vault accepts.</summary>
    private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
