using System.Text;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tests.Tls;

namespace Ztdr.Vault.Tests.Locking;

public sealed class FileTrustedTimeStoreTests
{
    private static readonly DateTimeOffset Time = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Save_NewFile_IsOwnerReadWriteOnly()
    {
        using var folder = new TemporaryFolder();
        var store = new FileTrustedTimeStore(folder.Combine("clock.json"));

        store.Save(new TrustedTimeRecord(Time, Time));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
    }

    [Fact]
    public void Save_OverExistingFile_LeavesNoTemporaryFiles()
    {
        using var folder = new TemporaryFolder();
        var store = new FileTrustedTimeStore(folder.Combine("clock.json"));

        store.Save(new TrustedTimeRecord(Time, Time));
        store.Save(new TrustedTimeRecord(Time.AddSeconds(10), Time.AddSeconds(10)));

        Assert.Equal(["clock.json"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Load_FolderMissing_ReturnsNull()
    {
        using var folder = new TemporaryFolder();

        Assert.Null(new FileTrustedTimeStore(folder.Combine("meta", "clock.json")).Load());
    }

    [Fact]
    public void In_VaultLayout_IsMetaClockJson()
    {
        var layout = new VaultLayout("/srv/vault");

        Assert.Equal("/srv/vault/meta/clock.json", FileTrustedTimeStore.In(layout).Path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"version\":2,\"trustedTime\":\"2030-01-02T03:04:05.0000000Z\",\"wallTimeAtSave\":\"2030-01-02T03:04:05.0000000Z\"}")]
    [InlineData("{\"version\":\"1\",\"trustedTime\":\"2030-01-02T03:04:05.0000000Z\",\"wallTimeAtSave\":\"2030-01-02T03:04:05.0000000Z\"}")]
    [InlineData("{\"version\":1,\"wallTimeAtSave\":\"2030-01-02T03:04:05.0000000Z\"}")]
    [InlineData("{\"version\":1,\"trustedTime\":\"2030-01-02T03:04:05.0000000Z\"}")]
    [InlineData("{\"version\":1,\"trustedTime\":\"2030-01-02T03:04:05Z\",\"wallTimeAtSave\":\"2030-01-02T03:04:05.0000000Z\"}")]
    [InlineData("{\"version\":1,\"trustedTime\":\"2030-01-02T03:04:05.0000000+02:00\",\"wallTimeAtSave\":\"2030-01-02T03:04:05.0000000Z\"}")]
    [InlineData("{\"version\":1,\"trustedTime\":1893553445,\"wallTimeAtSave\":\"2030-01-02T03:04:05.0000000Z\"}")]
    [InlineData("\u0000\u0000\u0000\u0000")]
    public void Load_Damaged_ThrowsInvalidDataNamingTheFile(string content)
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("clock.json");
        File.WriteAllText(path, content);

        var error = Assert.Throws<InvalidDataException>(new FileTrustedTimeStore(path).Load);

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Oversized_ThrowsInvalidDataWithoutReadingIt()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("clock.json");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes(new string(' ', 1 << 20)));

        Assert.Throws<InvalidDataException>(new FileTrustedTimeStore(path).Load);
    }
}
