using System.Xml;

namespace Ztdr.S3.Xml;

/// <summary>
/// Writes the multipart documents: InitiateMultipartUploadResult, CompleteMultipartUploadResult, CopyPartResult,
/// ListPartsResult and ListMultipartUploadsResult (the last honours <see cref="ListEncodingType.Url"/> like the object listings).
/// </summary>
public static class MultipartXmlWriter
{
    public static byte[] ToBytes(InitiateMultipartUploadResult value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, InitiateMultipartUploadResult value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(CompleteMultipartUploadResult value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, CompleteMultipartUploadResult value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(CopyPartResult value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, CopyPartResult value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(ListPartsResult value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, ListPartsResult value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(ListMultipartUploadsResult value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, ListMultipartUploadsResult value) => XmlOutput.Write(stream, value, WriteBody);

    private static void WriteBody(XmlWriter writer, InitiateMultipartUploadResult value)
    {
        writer.StartRoot("InitiateMultipartUploadResult");
        writer.Element("Bucket", value.Bucket);
        writer.Element("Key", value.Key);
        writer.Element("UploadId", value.UploadId);
        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, CompleteMultipartUploadResult value)
    {
        writer.StartRoot("CompleteMultipartUploadResult");
        writer.Element("Location", value.Location);
        writer.Element("Bucket", value.Bucket);
        writer.Element("Key", value.Key);
        writer.ETag(value.ETag);
        writer.ChecksumValues(value.Checksums);
        writer.OptionalElement("ChecksumType", value.Checksums?.Type);
        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, CopyPartResult value)
    {
        writer.StartRoot("CopyPartResult");
        writer.ETag(value.ETag);
        writer.Timestamp("LastModified", value.LastModified);
        writer.ChecksumValues(value.Checksums);
        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, ListPartsResult value)
    {
        writer.StartRoot("ListPartsResult");
        writer.Element("Bucket", value.Bucket);
        writer.Element("Key", value.Key);
        writer.Element("UploadId", value.UploadId);
        writer.Element("PartNumberMarker", value.PartNumberMarker);
        writer.Element("NextPartNumberMarker", value.NextPartNumberMarker);
        writer.Element("MaxParts", value.MaxParts);
        writer.Element("IsTruncated", value.IsTruncated);
        foreach (var part in value.Parts)
        {
            writer.WriteStartElement("Part");
            writer.Element("PartNumber", part.PartNumber);
            writer.Timestamp("LastModified", part.LastModified);
            writer.ETag(part.ETag);
            writer.Element("Size", part.Size);
            writer.ChecksumValues(part.Checksums);
            writer.WriteFullEndElement();
        }

        writer.Owner("Initiator", value.Initiator);
        writer.Owner("Owner", value.Owner);
        writer.Element("StorageClass", value.StorageClass);
        writer.OptionalElement("ChecksumAlgorithm", value.ChecksumAlgorithm);
        writer.OptionalElement("ChecksumType", value.ChecksumType);
        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, ListMultipartUploadsResult value)
    {
        var encoder = ListingKeyEncoder.For(
            value.EncodingType,
            [value.KeyMarker, value.NextKeyMarker, value.Prefix, value.Delimiter, .. value.Uploads.Select(u => u.Key), .. value.CommonPrefixes]);
        writer.StartRoot("ListMultipartUploadsResult");
        writer.Element("Bucket", value.Bucket);
        writer.Element("KeyMarker", encoder.Encode(value.KeyMarker));
        writer.Element("UploadIdMarker", value.UploadIdMarker);
        writer.Element("NextKeyMarker", encoder.Encode(value.NextKeyMarker));
        writer.Element("NextUploadIdMarker", value.NextUploadIdMarker);
        writer.Element("Prefix", encoder.Encode(value.Prefix));
        writer.OptionalElement("Delimiter", encoder.EncodeOptional(value.Delimiter));
        writer.Element("MaxUploads", value.MaxUploads);
        writer.Element("IsTruncated", value.IsTruncated);
        foreach (var upload in value.Uploads)
        {
            writer.WriteStartElement("Upload");
            writer.Element("Key", encoder.Encode(upload.Key));
            writer.Element("UploadId", upload.UploadId);
            writer.Owner("Initiator", upload.Initiator);
            writer.Owner("Owner", upload.Owner);
            writer.Element("StorageClass", upload.StorageClass);
            writer.Timestamp("Initiated", upload.Initiated);
            writer.OptionalElement("ChecksumAlgorithm", upload.ChecksumAlgorithm);
            writer.WriteFullEndElement();
        }

        writer.CommonPrefixes(value.CommonPrefixes, encoder);
        writer.EncodingType(encoder);
        writer.WriteFullEndElement();
    }
}
