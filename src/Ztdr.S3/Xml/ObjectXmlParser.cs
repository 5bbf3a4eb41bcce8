namespace Ztdr.S3.Xml;

/// <summary>Parses the DeleteObjects request body.</summary>
public static class ObjectXmlParser
{
    /// <summary>S3's limit on objects per DeleteObjects request; more is MalformedXML, as AWS answers.</summary>
    public const int MaxDeleteObjects = 1000;

    public static async ValueTask<DeleteObjectsRequest> ParseDeleteAsync(
        Stream body, int maxBytes = S3Xml.DeleteMaxBodyBytes, CancellationToken cancellationToken = default) =>
        ParseDelete(await XmlBody.ReadCappedAsync(body, maxBytes, cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>
    /// Keys are taken verbatim (leading and trailing spaces are part of a key). A missing or empty Key, no objects,
    /// or more than <see cref="MaxDeleteObjects"/> is MalformedXML. Elements we do not use (ETag, Size and
    /// LastModifiedTime of conditional deletes) are ignored, not rejected.
    /// </summary>
    public static DeleteObjectsRequest ParseDelete(ReadOnlyMemory<byte> body, int maxBytes = S3Xml.DeleteMaxBodyBytes)
    {
        var root = XmlBody.Load(body, "Delete", maxBytes);
        var quiet = XmlBody.OptionalText(root, "Quiet") is { } text && XmlBody.ParseBool(text);
        var objects = new List<ObjectIdentifier>();
        foreach (var element in XmlBody.Children(root, "Object"))
        {
            if (objects.Count == MaxDeleteObjects)
            {
                throw XmlBody.Malformed();
            }

            var key = XmlBody.RequiredText(element, "Key");
            if (key.Length == 0)
            {
                throw XmlBody.Malformed();
            }

            objects.Add(new(key, XmlBody.OptionalText(element, "VersionId")));
        }

        return objects.Count == 0 ? throw XmlBody.Malformed() : new(quiet, objects);
    }
}
