namespace Ztdr.S3.Xml;

/// <summary>Parses the CompleteMultipartUpload request body.</summary>
public static class MultipartXmlParser
{
    public static async ValueTask<CompleteMultipartUpload> ParseCompleteMultipartUploadAsync(
        Stream body, int maxBytes = S3Xml.CompleteMultipartUploadMaxBodyBytes, CancellationToken cancellationToken = default) =>
        ParseCompleteMultipartUpload(await XmlBody.ReadCappedAsync(body, maxBytes, cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>
    /// Parts are returned in request order: ordering (InvalidPartOrder), range and existence (InvalidPart) are the
    /// vault's checks. ETags are accepted with or without quotes and returned bare. No parts is MalformedXML.
    /// </summary>
    public static CompleteMultipartUpload ParseCompleteMultipartUpload(
        ReadOnlyMemory<byte> body, int maxBytes = S3Xml.CompleteMultipartUploadMaxBodyBytes)
    {
        var root = XmlBody.Load(body, "CompleteMultipartUpload", maxBytes);
        var parts = new List<CompletedPart>();
        foreach (var element in XmlBody.Children(root, "Part"))
        {
            var number = XmlBody.ParseInt(XmlBody.RequiredText(element, "PartNumber"));
            var etag = Unquote(XmlBody.RequiredText(element, "ETag").Trim());
            if (etag.Length == 0)
            {
                throw XmlBody.Malformed();
            }

            var checksums = new S3Checksums
            {
                Crc32 = XmlBody.OptionalText(element, "ChecksumCRC32"),
                Crc32C = XmlBody.OptionalText(element, "ChecksumCRC32C"),
                Crc64Nvme = XmlBody.OptionalText(element, "ChecksumCRC64NVME"),
                Sha1 = XmlBody.OptionalText(element, "ChecksumSHA1"),
                Sha256 = XmlBody.OptionalText(element, "ChecksumSHA256"),
            };
            parts.Add(new(number, etag, checksums == new S3Checksums() ? null : checksums));
        }

        return parts.Count == 0 ? throw XmlBody.Malformed() : new(parts);
    }

    private static string Unquote(string etag) =>
        etag.Length >= 2 && etag[0] == '"' && etag[^1] == '"' ? etag[1..^1] : etag;
}
