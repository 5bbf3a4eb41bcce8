using System.Xml;

namespace Ztdr.S3.Xml;

/// <summary>
/// Writes the object listings: ListBucketResult (V2 and V1) and ListVersionsResult. With
/// <see cref="ListEncodingType.Url"/> — or when a value cannot be carried by XML, see <see cref="ListingKeyEncoder"/> —
/// keys, prefixes, the delimiter and key markers are percent-encoded and EncodingType=url is echoed.
/// Continuation tokens and version ids are opaque, URL-safe, and never encoded.
/// </summary>
public static class ListingXmlWriter
{
    public static byte[] ToBytes(ListObjectsV2Result value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, ListObjectsV2Result value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(ListObjectsV1Result value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, ListObjectsV1Result value) => XmlOutput.Write(stream, value, WriteBody);

    public static byte[] ToBytes(ListVersionsResult value) => XmlOutput.ToBytes(value, WriteBody);

    public static void Write(Stream stream, ListVersionsResult value) => XmlOutput.Write(stream, value, WriteBody);

    internal static void CommonPrefixes(this XmlWriter writer, IReadOnlyList<string> prefixes, ListingKeyEncoder encoder)
    {
        foreach (var prefix in prefixes)
        {
            writer.WriteStartElement("CommonPrefixes");
            writer.Element("Prefix", encoder.Encode(prefix));
            writer.WriteFullEndElement();
        }
    }

    internal static void EncodingType(this XmlWriter writer, ListingKeyEncoder encoder)
    {
        if (encoder.IsUrl)
        {
            writer.Element("EncodingType", "url");
        }
    }

    private static void WriteBody(XmlWriter writer, ListObjectsV2Result value)
    {
        var encoder = ListingKeyEncoder.For(
            value.EncodingType,
            [value.Prefix, value.Delimiter, value.StartAfter, .. value.Contents.Select(c => c.Key), .. value.CommonPrefixes]);
        writer.StartRoot("ListBucketResult");
        writer.Element("Name", value.Name);
        writer.Element("Prefix", encoder.Encode(value.Prefix));
        writer.OptionalElement("Delimiter", encoder.EncodeOptional(value.Delimiter));
        writer.Element("MaxKeys", value.MaxKeys);
        writer.Element("KeyCount", value.Contents.Count + value.CommonPrefixes.Count);
        writer.Element("IsTruncated", value.IsTruncated);
        writer.OptionalElement("ContinuationToken", value.ContinuationToken);
        writer.OptionalElement("NextContinuationToken", value.NextContinuationToken);
        writer.OptionalElement("StartAfter", encoder.EncodeOptional(value.StartAfter));
        writer.EncodingType(encoder);
        WriteContents(writer, value.Contents, encoder);
        writer.CommonPrefixes(value.CommonPrefixes, encoder);
        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, ListObjectsV1Result value)
    {
        var encoder = ListingKeyEncoder.For(
            value.EncodingType,
            [value.Prefix, value.Marker, value.NextMarker, value.Delimiter, .. value.Contents.Select(c => c.Key), .. value.CommonPrefixes]);
        writer.StartRoot("ListBucketResult");
        writer.Element("Name", value.Name);
        writer.Element("Prefix", encoder.Encode(value.Prefix));
        writer.Element("Marker", encoder.Encode(value.Marker));
        writer.OptionalElement("NextMarker", encoder.EncodeOptional(value.NextMarker));
        writer.Element("MaxKeys", value.MaxKeys);
        writer.OptionalElement("Delimiter", encoder.EncodeOptional(value.Delimiter));
        writer.Element("IsTruncated", value.IsTruncated);
        writer.EncodingType(encoder);
        WriteContents(writer, value.Contents, encoder);
        writer.CommonPrefixes(value.CommonPrefixes, encoder);
        writer.WriteFullEndElement();
    }

    private static void WriteBody(XmlWriter writer, ListVersionsResult value)
    {
        var encoder = ListingKeyEncoder.For(
            value.EncodingType,
            [value.Prefix, value.KeyMarker, value.NextKeyMarker, value.Delimiter, .. value.Entries.Select(e => e.Key), .. value.CommonPrefixes]);
        writer.StartRoot("ListVersionsResult");
        writer.Element("Name", value.Name);
        writer.Element("Prefix", encoder.Encode(value.Prefix));
        writer.Element("KeyMarker", encoder.Encode(value.KeyMarker));
        writer.Element("VersionIdMarker", value.VersionIdMarker);
        writer.OptionalElement("NextKeyMarker", encoder.EncodeOptional(value.NextKeyMarker));
        writer.OptionalElement("NextVersionIdMarker", value.NextVersionIdMarker);
        writer.Element("MaxKeys", value.MaxKeys);
        writer.OptionalElement("Delimiter", encoder.EncodeOptional(value.Delimiter));
        writer.Element("IsTruncated", value.IsTruncated);
        foreach (var entry in value.Entries)
        {
            WriteVersionEntry(writer, entry, encoder);
        }

        writer.CommonPrefixes(value.CommonPrefixes, encoder);
        writer.EncodingType(encoder);
        writer.WriteFullEndElement();
    }

    private static void WriteContents(XmlWriter writer, IReadOnlyList<ListedObject> contents, ListingKeyEncoder encoder)
    {
        foreach (var item in contents)
        {
            writer.WriteStartElement("Contents");
            writer.Element("Key", encoder.Encode(item.Key));
            writer.Timestamp("LastModified", item.LastModified);
            writer.ETag(item.ETag);
            writer.Element("Size", item.Size);
            writer.Element("StorageClass", item.StorageClass);
            if (item.Owner is { } owner)
            {
                writer.Owner("Owner", owner);
            }

            writer.OptionalElement("ChecksumAlgorithm", item.ChecksumAlgorithm);
            writer.OptionalElement("ChecksumType", item.ChecksumType);
            writer.WriteFullEndElement();
        }
    }

    private static void WriteVersionEntry(XmlWriter writer, ListedVersionEntry entry, ListingKeyEncoder encoder)
    {
        var version = entry as ListedVersion;
        writer.WriteStartElement(version is null ? "DeleteMarker" : "Version");
        writer.Element("Key", encoder.Encode(entry.Key));
        writer.Element("VersionId", entry.VersionId);
        writer.Element("IsLatest", entry.IsLatest);
        writer.Timestamp("LastModified", entry.LastModified);
        if (version is not null)
        {
            writer.ETag(version.ETag);
            writer.Element("Size", version.Size);
            writer.Element("StorageClass", version.StorageClass);
        }

        if (entry.Owner is { } owner)
        {
            writer.Owner("Owner", owner);
        }

        if (version is not null)
        {
            writer.OptionalElement("ChecksumAlgorithm", version.ChecksumAlgorithm);
            writer.OptionalElement("ChecksumType", version.ChecksumType);
        }

        writer.WriteFullEndElement();
    }
}
