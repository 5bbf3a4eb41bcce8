using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>Veeam's SOSAPI files are served per bucket, with real capacity figures, and can be neither written nor listed.</summary>
public sealed class SmartObjectStorageTests : IClassFixture<VaultFixture>, IDisposable
{
    private const string Folder = ".system-d26a9498-cb7c-4a87-a44a-8ae204f5ba6c";
    private readonly VaultFixture _fixture;
    private readonly RawS3 _raw;

    public SmartObjectStorageTests(VaultFixture fixture)
    {
        _fixture = fixture;
        _raw = new RawS3(fixture.Vault);
    }

    public void Dispose() => _raw.Dispose();

    [Fact]
    public async Task SystemXml_DeclaresProtocolAndCapacityCapability()
    {
        var response = await _raw.SendAsync("GET", $"/backups/{Folder}/system.xml");
        Assert.Equal(200, response.Status);
        var root = XDocument.Parse(response.Text).Root!;
        Assert.Equal("SystemInfo", root.Name.LocalName);
        Assert.Equal("\"1.0\"", root.Element("ProtocolVersion")!.Value);
        Assert.Equal("true", root.Element("ProtocolCapabilities")!.Element("CapacityInfo")!.Value);
    }

    [Fact]
    public async Task CapacityXml_ReportsRealFilesystemAndBucketUsage()
    {
        await _raw.SendAsync("PUT", "/backups/sosapi/data.bin", new byte[4096]);
        var response = await _raw.SendAsync("GET", $"/backups/{Folder}/capacity.xml");
        Assert.Equal(200, response.Status);
        var root = XDocument.Parse(response.Text).Root!;
        var capacity = long.Parse(root.Element("Capacity")!.Value, CultureInfo.InvariantCulture);
        var available = long.Parse(root.Element("Available")!.Value, CultureInfo.InvariantCulture);
        var used = long.Parse(root.Element("Used")!.Value, CultureInfo.InvariantCulture);
        var drive = new DriveInfo(_fixture.Vault.DataDirectory);
        Assert.Equal(drive.TotalSize, capacity);
        Assert.InRange(available, 1, capacity);
        Assert.True(Math.Abs(available - drive.AvailableFreeSpace) < 512L * 1024 * 1024, "available space should match the filesystem");
        Assert.True(used >= 4096, $"used {used} should count the 4 KiB object");
    }

    [Fact]
    public async Task SosApiFiles_CannotBeWrittenOrDeletedAndAreNotListed()
    {
        var put = await _raw.SendAsync("PUT", $"/backups/{Folder}/capacity.xml", Encoding.UTF8.GetBytes("<CapacityInfo/>"));
        Assert.Equal(403, put.Status);
        var delete = await _raw.SendAsync("DELETE", $"/backups/{Folder}/system.xml");
        Assert.Equal(403, delete.Status);
        var list = await _raw.SendAsync("GET", $"/backups?list-type=2&prefix={Folder}");
        Assert.Equal(200, list.Status);
        Assert.DoesNotContain("<Key>", list.Text, StringComparison.Ordinal);
    }
}
