using Ztdr.S3.Xml;

namespace Ztdr.S3.Tests.Xml;

public sealed class S3UrlEncodingTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("AZaz09-_.~/", "AZaz09-_.~/")]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b", "a%2Bb")]
    [InlineData("a&b<c>\"'", "a%26b%3Cc%3E%22%27")]
    [InlineData("%", "%25")]
    [InlineData("é", "%C3%A9")]
    [InlineData("日", "%E6%97%A5")]
    [InlineData("🎉", "%F0%9F%8E%89")]
    [InlineData("\u0001\u007F", "%01%7F")]
    [InlineData("?#=;:,@!$*()[]", "%3F%23%3D%3B%3A%2C%40%21%24%2A%28%29%5B%5D")]
    public void Encode_Value_MatchesBotocoreDecodableForm(string value, string expected) =>
        Assert.Equal(expected, S3UrlEncoding.Encode(value));

    [Theory]
    [InlineData("dir/a b+c&d")]
    [InlineData("日本語/ファイル 1+1=2")]
    [InlineData("   ")]
    public void Encode_ThenUnquotePlus_RoundTrips(string value)
    {
        // botocore decodes with unquote_plus: '+' would become a space, so a surviving value proves '+' was encoded.
        var decoded = Uri.UnescapeDataString(S3UrlEncoding.Encode(value).Replace('+', ' '));

        Assert.Equal(value, decoded);
    }
}
