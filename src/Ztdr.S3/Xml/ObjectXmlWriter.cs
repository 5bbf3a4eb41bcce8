using System.Xml;

namespace Ztdr.S3.Xml;

/// <summary>Writes CopyObjectResult and DeleteResult.</summary>
public static class ObjectXmlWriter
{
    public static byte[] ToBytes(CopyObjectResult value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, CopyObjectResult value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(DeleteResult value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, DeleteResult value) => XmlOutput.Write(stream, value, WriteBody);

    private static void WriteBody(XmlWriter writer, CopyObjectResult value)
    {
        writer.StartRoot("CopyObjectResult");
        writer.ETag(value.ETag);
        writer.Timestamp("LastModified", value.LastModified);
        writer.OptionalElement("ChecksumType", value.Checksums?.Type);
        writer.ChecksumValues(value.Checksums);
        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, DeleteResult value)
    {
        writer.StartRoot("DeleteResult");
        foreach (var deleted in value.Deleted)
        {
            writer.WriteStartElement("Deleted");
            writer.Element("Key", deleted.Key);
            writer.OptionalElement("VersionId", deleted.VersionId);
            if (deleted.DeleteMarker)
            {
                writer.Element("DeleteMarker", true);
                writer.OptionalElement("DeleteMarkerVersionId", deleted.DeleteMarkerVersionId);
            }

            writer.WriteFullEndElement();
        }

        foreach (var error in value.Errors)
        {
            writer.WriteStartElement("Error");
            writer.Element("Key", error.Key);
            writer.OptionalElement("VersionId", error.VersionId);
            writer.Element("Code", error.Code);
            writer.Element("Message", error.Message);
            writer.WriteFullEndElement();
        }

        writer.WriteFullEndElement();
    }
}
