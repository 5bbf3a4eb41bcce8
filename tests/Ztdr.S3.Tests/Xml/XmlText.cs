using System.Text;

namespace Ztdr.S3.Tests.Xml;

/// <summary>Small helpers for golden XML comparisons.</summary>
internal static class XmlText
{
    public const string Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    public const string Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static readonly DateTimeOffset Time = new(2026, 8, 1, 12, 0, 0, 123, TimeSpan.Zero);

    public static string Of(byte[] bytes)
    {
        // No BOM: the first byte must be the '<' of the declaration.
        Assert.Equal((byte)'<', bytes[0]);
        return Encoding.UTF8.GetString(bytes);
    }

    public static byte[] Body(string xml) => Encoding.UTF8.GetBytes(xml);
}
