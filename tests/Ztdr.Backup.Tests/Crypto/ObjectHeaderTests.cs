using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Tests.Crypto;

public sealed class ObjectHeaderTests
{
    [Fact]
    public void Read_WrittenHeader_RoundTrips()
    {
        var header = new ObjectHeader(ObjectType.Snapshot, ObjectId.NewRandom());

        Assert.Equal(header, ObjectHeader.Read(header.ToArray(), ObjectType.Snapshot));
    }

    [Theory]
    [InlineData(0, 0x00)] // magic
    [InlineData(4, 0x02)] // version
    [InlineData(5, 0x03)] // type: an index served under a snapshot's name
    [InlineData(6, 0x01)] // reserved
    public void Read_ByteChanged_ThrowsFormatException(int offset, byte value)
    {
        var bytes = new ObjectHeader(ObjectType.Snapshot, ObjectId.NewRandom()).ToArray();
        bytes[offset] = value;

        Assert.Throws<RepositoryFormatException>(() => ObjectHeader.Read(bytes, ObjectType.Snapshot));
    }

    [Fact]
    public void Read_Truncated_ThrowsFormatException()
    {
        Assert.Throws<RepositoryFormatException>(() => ObjectHeader.Read(new byte[39], ObjectType.Pack));
    }
}
