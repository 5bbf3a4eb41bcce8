using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Tests.Crypto;

public sealed class IdTests
{
    [Fact]
    public void Parse_ToStringOfRandomId_RoundTrips()
    {
        var id = ObjectId.NewRandom();

        Assert.Equal(64, id.ToString().Length);
        Assert.Equal(id, ObjectId.Parse(id.ToString()));
        Assert.Equal(id, new ObjectId(id.ToArray()));
    }

    [Fact]
    public void ToString_KnownBytes_IsLowercaseHexInByteOrder()
    {
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)(0xF0 - i)).ToArray();

        Assert.Equal(Convert.ToHexStringLower(bytes), new BlobId(bytes).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("ABCDEF0000000000000000000000000000000000000000000000000000000000")]
    [InlineData("g000000000000000000000000000000000000000000000000000000000000000")]
    public void TryParse_NotLowercase64Hex_ReturnsFalse(string text)
    {
        Assert.False(BlobId.TryParse(text, out _));
        Assert.Throws<RepositoryFormatException>(() => ObjectId.Parse(text));
    }

    [Fact]
    public void NewRandom_TwoCalls_Differ()
    {
        Assert.NotEqual(ObjectId.NewRandom(), ObjectId.NewRandom());
    }
}
