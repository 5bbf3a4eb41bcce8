using System.Globalization;
using System.Xml.Linq;
using Amazon.S3.Model;
using Ztdr.Integration.Tests.Vault;
using static Ztdr.Integration.Tests.Attacks.AttackVault;

namespace Ztdr.Integration.Tests.Attacks;

/// <summary>
/// The attacker who can set the host's clock: the vault is stopped and started again under Debian's libfaketime with
/// the wall clock ten years ahead, far past every retention. Retention follows the vault's trusted time, which resumes
/// from its persisted value and advances only with the monotonic clock, so nothing expires.
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
            // The attacker signs with the host's (shifted) time; a request signed with true time is now out of the
            // skew window, which shows the vault's wall clock really is ten years ahead.
            var future = new ShiftedTime(TenYears);
            var trueTime = await raw.SendAsync("GET", $"/{Bucket}/{victim.Key}?versionId={victim.VersionId}", signer: raw.Signer(Maintenance));
            Assert.Equal((403, "RequestTimeTooSkewed"), (trueTime.Status, trueTime.ErrorCode));

            foreach (var key in new[] { Maintenance, AllRoles })
            {
                var delete = await raw.SendAsync(
                    "DELETE",
                    $"/{Bucket}/{victim.Key}?versionId={victim.VersionId}",
                    headers: [new("x-amz-bypass-governance-retention", "true")],
                    signer: raw.Signer(key, future));
                Assert.True((delete.Status, delete.ErrorCode) == (403, "AccessDenied"), $"{key}: {delete}");
                _vault.Record(key, "DeleteObject", Bucket, victim.Key, "denied:AccessDenied");
            }

            var get = await raw.SendAsync("GET", $"/{Bucket}/{victim.Key}?versionId={victim.VersionId}", signer: raw.Signer(AllRoles, future));
            Assert.Equal(200, get.Status);
            Assert.Equal(victim.Data, get.Body);
            var retention = await raw.SendAsync("GET", $"/{Bucket}/{victim.Key}?retention&versionId={victim.VersionId}", signer: raw.Signer(AllRoles, future));
            var until = XDocument.Parse(retention.Text).Root!.Elements().Single(e => e.Name.LocalName == "RetainUntilDate").Value;
            Assert.Equal(victim.RetainUntil, DateTime.Parse(until, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        }

        Assert.Equal(0, await vault.StopAsync());
        vault.ServeEnvironment.Clear();
        await vault.RestartAsync();

        var afterwards = await OutcomeAsync(() => _vault.Client(Maintenance).DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = victim.Key, VersionId = victim.VersionId }));
        Assert.Equal("denied:AccessDenied", afterwards);
        _vault.Record(Maintenance, "DeleteObject", Bucket, victim.Key, "denied:AccessDenied");
        await _vault.AssertIntactAsync(victim);
        await _vault.AssertAuditHoldsEveryAttemptAsync();
    }

    /// <summary>The host's clock as the attacker set it, for signing requests the shifted vault accepts.</summary>
    private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
