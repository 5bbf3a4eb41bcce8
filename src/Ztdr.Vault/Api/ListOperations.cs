using System.Globalization;
using System.Text;
using Ztdr.S3.Errors;
using Ztdr.S3.Xml;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>ListObjects (V1), ListObjectsV2 and ListObjectVersions.</summary>
internal sealed class ListOperations
{
    private static readonly S3Owner Owner = new("ztdr-vault", "ztdr-vault");
    private readonly VaultStore _store;
    private readonly Listing _listing;

    public ListOperations(VaultStore store)
    {
        _store = store;
        _listing = new Listing(store.Objects);
    }

    public Task ListObjectsV2Async(S3Call call)
    {
        call.Require(S3Action.ListObjects);
        var bucket = _store.Buckets.Get(call.Bucket);
        var (prefix, delimiter, maxKeys, encoding) = CommonParameters(call);
        var token = call.Target.Get("continuation-token");
        var startAfter = call.Target.Get("start-after");
        byte[]? after;
        if (token is not null)
        {
            after = DecodeToken(token, prefix, delimiter);
        }
        else
        {
            after = string.IsNullOrEmpty(startAfter) ? null : Encoding.UTF8.GetBytes(startAfter);
        }

        var fetchOwner = string.Equals(call.Target.Get("fetch-owner"), "true", StringComparison.OrdinalIgnoreCase);
        var page = _listing.Current(bucket.Name, prefix, delimiter, after, maxKeys);
        var result = new ListObjectsV2Result
        {
            Name = bucket.Name,
            Prefix = prefix,
            Delimiter = delimiter,
            MaxKeys = maxKeys,
            IsTruncated = page.IsTruncated,
            ContinuationToken = token,
            NextContinuationToken = page.IsTruncated && page.LastKeyOrPrefix is not null ? EncodeToken(page.LastKeyOrPrefix, page.LastWasPrefix) : null,
            StartAfter = startAfter,
            EncodingType = encoding,
            Contents = page.Entries.Select(v => ToListed(v, fetchOwner)).ToList(),
            CommonPrefixes = page.CommonPrefixes,
        };
        return Responses.XmlAsync(call, ListingXmlWriter.ToBytes(result));
    }

    public Task ListObjectsV1Async(S3Call call)
    {
        call.Require(S3Action.ListObjects);
        var bucket = _store.Buckets.Get(call.Bucket);
        var (prefix, delimiter, maxKeys, encoding) = CommonParameters(call);
        var marker = call.Target.Get("marker") ?? string.Empty;
        var page = _listing.Current(bucket.Name, prefix, delimiter, Listing.After(marker, prefix, delimiter), maxKeys);
        var result = new ListObjectsV1Result
        {
            Name = bucket.Name,
            Prefix = prefix,
            Marker = marker,
            // S3 sends NextMarker only with a delimiter; clients otherwise resume from the last key.
            NextMarker = page.IsTruncated && delimiter is not null ? page.LastKeyOrPrefix : null,
            MaxKeys = maxKeys,
            Delimiter = delimiter,
            IsTruncated = page.IsTruncated,
            EncodingType = encoding,
            Contents = page.Entries.Select(v => ToListed(v, fetchOwner: true)).ToList(),
            CommonPrefixes = page.CommonPrefixes,
        };
        return Responses.XmlAsync(call, ListingXmlWriter.ToBytes(result));
    }

    public Task ListVersionsAsync(S3Call call)
    {
        call.Require(S3Action.ListObjects);
        var bucket = _store.Buckets.Get(call.Bucket);
        var (prefix, delimiter, maxKeys, encoding) = CommonParameters(call);
        var keyMarker = call.Target.Get("key-marker") ?? string.Empty;
        var versionIdMarker = call.Target.Get("version-id-marker") ?? string.Empty;
        if (versionIdMarker.Length > 0 && keyMarker.Length == 0)
        {
            throw new S3Exception(S3Errors.InvalidArgument, "A version-id marker cannot be specified without a key marker.").With("ArgumentName", "version-id-marker");
        }

        byte[]? afterKey = Listing.After(keyMarker, prefix, delimiter);
        long? afterSequence = null;
        if (versionIdMarker.Length > 0)
        {
            // A marker version deleted since the last page resumes at the start of its key: nothing is skipped.
            afterSequence = _store.Objects.FindSequence(bucket.Name, keyMarker, versionIdMarker) ?? long.MaxValue;
        }

        var page = _listing.Versions(bucket.Name, prefix, delimiter, afterKey, afterSequence, maxKeys);
        var entries = page.Entries.Select<ObjectVersion, ListedVersionEntry>(v => v.IsDeleteMarker
            ? new ListedDeleteMarker(v.Key, v.VersionId, v.IsLatest, v.LastModified) { Owner = Owner }
            : new ListedVersion(v.Key, v.VersionId, v.IsLatest, v.LastModified, v.ETag, v.Size) { Owner = Owner, ChecksumAlgorithm = v.Checksum?.Algorithm, ChecksumType = v.Checksum?.Type }).ToList();
        var result = new ListVersionsResult
        {
            Name = bucket.Name,
            Prefix = prefix,
            KeyMarker = keyMarker,
            VersionIdMarker = versionIdMarker,
            NextKeyMarker = page.IsTruncated ? page.LastKeyOrPrefix : null,
            NextVersionIdMarker = page.IsTruncated && !page.LastWasPrefix ? page.LastEntry?.VersionId : null,
            MaxKeys = maxKeys,
            Delimiter = delimiter,
            IsTruncated = page.IsTruncated,
            EncodingType = encoding,
            Entries = entries,
            CommonPrefixes = page.CommonPrefixes,
        };
        return Responses.XmlAsync(call, ListingXmlWriter.ToBytes(result));
    }

    internal static (string Prefix, string? Delimiter, int MaxKeys, ListEncodingType Encoding) CommonParameters(S3Call call)
    {
        var prefix = call.Target.Get("prefix") ?? string.Empty;
        var delimiter = call.Target.Get("delimiter");
        if (delimiter is { Length: 0 })
        {
            delimiter = null;
        }

        var maxKeys = 1000;
        var maxKeysText = call.Target.Get("max-keys") ?? call.Target.Get("max-uploads");
        if (maxKeysText is not null)
        {
            if (!int.TryParse(maxKeysText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out maxKeys) || maxKeys < 0)
            {
                throw new S3Exception(S3Errors.InvalidArgument, "Provided max-keys not an integer or within integer range").With("ArgumentName", "max-keys").With("ArgumentValue", maxKeysText);
            }

            maxKeys = Math.Min(maxKeys, 1000);
        }

        var encoding = call.Target.Get("encoding-type") switch
        {
            null => ListEncodingType.None,
            var e when e.Equals("url", StringComparison.OrdinalIgnoreCase) => ListEncodingType.Url,
            var e => throw new S3Exception(S3Errors.InvalidArgument, "Invalid Encoding Method specified in Request").With("ArgumentName", "encoding-type").With("ArgumentValue", e),
        };
        return (prefix, delimiter, maxKeys, encoding);
    }

    private static ListedObject ToListed(ObjectVersion version, bool fetchOwner) =>
        new(version.Key, version.LastModified, version.ETag, version.Size)
        {
            Owner = fetchOwner ? Owner : null,
            ChecksumAlgorithm = version.Checksum?.Algorithm,
            ChecksumType = version.Checksum?.Type,
        };

    /// <summary>Continuation tokens name the last entry returned and whether it was a common prefix (base64url).</summary>
    private static string EncodeToken(string last, bool wasPrefix) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes((wasPrefix ? "p:" : "k:") + last)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] DecodeToken(string token, string prefix, string? delimiter)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            if (text.StartsWith("k:", StringComparison.Ordinal))
            {
                return Encoding.UTF8.GetBytes(text[2..]);
            }

            if (text.StartsWith("p:", StringComparison.Ordinal))
            {
                return Listing.After(text[2..], prefix, delimiter) ?? [];
            }
        }
        catch (FormatException)
        {
            // Falls through to the S3 error below.
        }

        throw new S3Exception(S3Errors.InvalidArgument, "The continuation token provided is incorrect").With("ArgumentName", "continuation-token");
    }
}
