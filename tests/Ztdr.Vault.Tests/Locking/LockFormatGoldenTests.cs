using System.Text;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tests.Tls;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>
/// Freezes the lock values written to disk. A failure means data written by an earlier vault would be misread: make it a
/// new format version with a migration, never a new expectation.
/// </summary>
public sealed class LockFormatGoldenTests
{
    [Fact]
    public void LockMode_Numbers_AreFrozen()
    {
        Assert.Equal(1, (int)LockMode.Governance);
        Assert.Equal(2, (int)LockMode.Compliance);
        Assert.Equal([LockMode.Governance, LockMode.Compliance], Enum.GetValues<LockMode>());
    }

    [Fact]
    public void ClockFile_V1Bytes_AreFrozen()
    {
        var record = new TrustedTimeRecord(
            new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_012),
            new DateTimeOffset(2031, 2, 3, 6, 5, 6, TimeSpan.FromHours(2)));   // written in UTC whatever the offset

        Assert.Equal(1, FileTrustedTimeStore.FormatVersion);
        Assert.Equal("clock.json", FileTrustedTimeStore.FileName);
        Assert.Equal(
            """{"version":1,"trustedTime":"2030-01-02T03:04:05.6789012Z","wallTimeAtSave":"2031-02-03T04:05:06.0000000Z"}""",
            Encoding.UTF8.GetString(FileTrustedTimeStore.Serialize(record)));
    }

    [Fact]
    public void ClockFile_V1WrittenByEarlierVault_StillLoads()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("clock.json");
        File.WriteAllText(path, """{"version":1,"trustedTime":"2030-01-02T03:04:05.6789012Z","wallTimeAtSave":"2031-02-03T04:05:06.0000000Z"}""");

        var record = new FileTrustedTimeStore(path).Load();

        Assert.Equal(
            new TrustedTimeRecord(
                new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_012),
                new DateTimeOffset(2031, 2, 3, 4, 5, 6, TimeSpan.Zero)),
            record);
    }
}
