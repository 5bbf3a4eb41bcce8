using System.Xml;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Xml;

/// <summary>Writes S3's Error document. Unlike the result documents it carries no namespace, as AWS sends it.</summary>
public static class ErrorXmlWriter
{
    public static byte[] ToBytes(S3ErrorBody value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, S3ErrorBody value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(S3Exception exception, string requestId, string hostId) =>
        ToBytes(S3ErrorBody.From(exception, requestId, hostId));

    private static void WriteBody(XmlWriter writer, S3ErrorBody value)
    {
        writer.WriteStartElement("Error");
        writer.Element("Code", value.Code);
        writer.Element("Message", value.Message);
        foreach (var (name, text) in value.Details)
        {
            // Detail names come from code (Key, BucketName, ArgumentName ...); an invalid one is a bug, and
            // XmlWriter rejects it rather than emitting a broken document.
            writer.Element(name, text);
        }

        writer.Element("RequestId", value.RequestId);
        writer.Element("HostId", value.HostId);
        writer.WriteFullEndElement();
    }
}
