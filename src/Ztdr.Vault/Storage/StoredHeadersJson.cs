using System.Text.Json;

namespace Ztdr.Vault.Storage;

/// <summary>The JSON form of <see cref="StoredHeaders"/> in the metadata store (docs/vault-storage.md).</summary>
internal static class StoredHeadersJson
{
    public static string Write(StoredHeaders headers)
    {
        var doc = new Document
        {
            ContentType = headers.ContentType,
            ContentEncoding = headers.ContentEncoding,
            ContentDisposition = headers.ContentDisposition,
            ContentLanguage = headers.ContentLanguage,
            CacheControl = headers.CacheControl,
            Expires = headers.Expires,
            Meta = headers.UserMetadata.Select(m => new[] { m.Key, m.Value }).ToArray(),
        };
        return JsonSerializer.Serialize(doc);
    }

    public static StoredHeaders Read(string json)
    {
        var doc = JsonSerializer.Deserialize<Document>(json) ?? new Document();
        return new StoredHeaders(
            doc.ContentType,
            doc.ContentEncoding,
            doc.ContentDisposition,
            doc.ContentLanguage,
            doc.CacheControl,
            doc.Expires,
            (doc.Meta ?? []).Where(p => p.Length == 2).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToArray());
    }

    private sealed class Document
    {
        public string? ContentType { get; set; }

        public string? ContentEncoding { get; set; }

        public string? ContentDisposition { get; set; }

        public string? ContentLanguage { get; set; }

        public string? CacheControl { get; set; }

        public string? Expires { get; set; }

        public string[][]? Meta { get; set; }
    }
}
