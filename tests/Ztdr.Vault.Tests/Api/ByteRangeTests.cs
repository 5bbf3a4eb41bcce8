using Ztdr.S3.Errors;
using Ztdr.Vault.Api;

namespace Ztdr.Vault.Tests.Api;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-0", 100, 0, 1)]
    [InlineData("bytes=0-99", 100, 0, 100)]
    [InlineData("bytes=10-19", 100, 10, 10)]
    [InlineData("bytes=10-", 100, 10, 90)]
    [InlineData("bytes=99-", 100, 99, 1)]
    [InlineData("bytes=90-1000", 100, 90, 10)]
    [InlineData("bytes=-10", 100, 90, 10)]
    [InlineData("bytes=-1", 100, 99, 1)]
    [InlineData("bytes=-1000", 100, 0, 100)]
    [InlineData("Bytes=1-2", 100, 1, 2)]
    [InlineData("bytes= 1 - 2 ", 100, 1, 2)]
    public void Parse_SatisfiableRange_ResolvesStartAndLength(string header, long size, long start, long length)
    {
        var range = ByteRange.Parse(header, size);

        Assert.Equal(new ByteRange(start, length), range);
        Assert.Equal(start + length - 1, range!.Value.End);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("items=0-1")]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=0-0,-1")]
    [InlineData("bytes=")]
    [InlineData("bytes=5")]
    [InlineData("bytes=abc-")]
    [InlineData("bytes=1-x")]
    [InlineData("bytes=5-3")]
    [InlineData("bytes=--5")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=1-2-3")]
    [InlineData("bytes=-")]
    public void Parse_AbsentMultiOrMalformed_IsWholeObject(string? header)
    {
        Assert.Null(ByteRange.Parse(header, 100));
    }

    [Theory]
    [InlineData("bytes=100-", 100)]
    [InlineData("bytes=100-200", 100)]
    [InlineData("bytes=500-", 100)]
    [InlineData("bytes=-0", 100)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=0-0", 0)]
    [InlineData("bytes=-5", 0)]
    public void Parse_Unsatisfiable_IsInvalidRange416WithContentRange(string header, long size)
    {
        var error = Assert.Throws<S3Exception>(() => ByteRange.Parse(header, size));

        Assert.Equal("InvalidRange", error.Error.Code);
        Assert.Equal(416, error.Error.Status);
        Assert.Equal($"bytes */{size}", error.Headers["Content-Range"]);
        Assert.Contains(new KeyValuePair<string, string>("ActualObjectSize", size.ToString(System.Globalization.CultureInfo.InvariantCulture)), error.Details);
    }

    [Fact]
    public void Parse_MultiRangeEvenIfUnsatisfiable_IsIgnoredNotRefused()
    {
        Assert.Null(ByteRange.Parse("bytes=500-600,700-800", 100));
    }
}
