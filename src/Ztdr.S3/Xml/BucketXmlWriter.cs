using System.Xml;

namespace Ztdr.S3.Xml;

/// <summary>Writes the bucket-level result documents: ListAllMyBucketsResult, LocationConstraint, VersioningConfiguration.</summary>
public static class BucketXmlWriter
{
    public static byte[] ToBytes(ListAllMyBucketsResult value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, ListAllMyBucketsResult value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(BucketLocation value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, BucketLocation value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(VersioningConfiguration value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, VersioningConfiguration value) => XmlOutput.Write(stream, value, WriteBody);

    private static void WriteBody(XmlWriter writer, ListAllMyBucketsResult value)
    {
        writer.StartRoot("ListAllMyBucketsResult");
        writer.Owner("Owner", value.Owner);
        writer.WriteStartElement("Buckets");
        foreach (var bucket in value.Buckets)
        {
            writer.WriteStartElement("Bucket");
            writer.Element("Name", bucket.Name);
            writer.Timestamp("CreationDate", bucket.CreationDate);
            writer.WriteFullEndElement();
        }

        writer.WriteFullEndElement();
        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, BucketLocation value)
    {
        // us-east-1 is the empty constraint: clients map "" (and only "") back to us-east-1.
        var region = value.Region is null or "us-east-1" ? "" : value.Region;
        writer.StartRoot("LocationConstraint");
        writer.WriteString(region);
        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, VersioningConfiguration value)
    {
        writer.StartRoot("VersioningConfiguration");
        if (value.Status is { } status)
        {
            writer.Element("Status", status == VersioningStatus.Enabled ? "Enabled" : "Suspended");
        }

        writer.WriteFullEndElement();
    }
}
