using System.Text;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>One page of a listing: entries in order, and where the next page starts.</summary>
internal sealed record ListingPage<T>(IReadOnlyList<T> Entries, IReadOnlyList<string> CommonPrefixes, bool IsTruncated, string? LastKeyOrPrefix, bool LastWasPrefix, T? LastEntry);

/// <summary>
/// S3 listing semantics over the catalog: prefix, delimiter roll-up into common prefixes (each counts once toward
/// max-keys, and a page that ends on one resumes after every key under it), UTF-8 byte order.
/// </summary>
internal sealed class Listing
{
    private const int Batch = 512;

    // max-keys=0 is an empty page that is not truncated, as on AWS: a truncated page with no entry has no resume
    // point, so a client following IsTruncated would ask for the same page forever.
    private static readonly ListingPage<ObjectVersion> Empty = new([], [], false, null, false, null);
    private readonly ObjectCatalog _objects;

    public Listing(ObjectCatalog objects)
    {
        _objects = objects;
    }

    /// <summary>Resume point after a key or, when it is a common prefix, after every key under it.</summary>
    public static byte[]? After(string? marker, string prefix, string? delimiter)
    {
        if (string.IsNullOrEmpty(marker))
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes(marker);
        if (!string.IsNullOrEmpty(delimiter) && marker.StartsWith(prefix, StringComparison.Ordinal)
            && marker.Length > prefix.Length && marker.EndsWith(delimiter, StringComparison.Ordinal))
        {
            return SkipAll(bytes);
        }

        return bytes;
    }

    public ListingPage<ObjectVersion> Current(string bucket, string prefix, string? delimiter, byte[]? after, int maxKeys)
    {
        if (maxKeys == 0)
        {
            return Empty;
        }

        var prefixBytes = Encoding.UTF8.GetBytes(prefix);
        var entries = new List<ObjectVersion>();
        var prefixes = new List<string>();
        string? last = null;
        var lastWasPrefix = false;
        while (true)
        {
            var batch = _objects.ListLatest(bucket, prefixBytes, after, Batch);
            var restarted = false;
            foreach (var version in batch)
            {
                var commonPrefix = CommonPrefix(version.Key, prefix, delimiter);
                if (entries.Count + prefixes.Count >= maxKeys)
                {
                    return new ListingPage<ObjectVersion>(entries, prefixes, true, last, lastWasPrefix, entries.LastOrDefault());
                }

                if (commonPrefix is not null)
                {
                    prefixes.Add(commonPrefix);
                    last = commonPrefix;
                    lastWasPrefix = true;
                    after = SkipAll(Encoding.UTF8.GetBytes(commonPrefix));
                    restarted = true;
                    break;
                }

                entries.Add(version);
                last = version.Key;
                lastWasPrefix = false;
                after = Encoding.UTF8.GetBytes(version.Key);
            }

            if (!restarted && batch.Count < Batch)
            {
                return new ListingPage<ObjectVersion>(entries, prefixes, false, last, lastWasPrefix, entries.LastOrDefault());
            }
        }
    }

    public ListingPage<ObjectVersion> Versions(string bucket, string prefix, string? delimiter, byte[]? afterKey, long? afterSequence, int maxKeys)
    {
        if (maxKeys == 0)
        {
            return Empty;
        }

        var prefixBytes = Encoding.UTF8.GetBytes(prefix);
        var entries = new List<ObjectVersion>();
        var prefixes = new List<string>();
        string? last = null;
        var lastWasPrefix = false;
        while (true)
        {
            var batch = _objects.ListVersions(bucket, prefixBytes, afterKey, afterSequence, Batch);
            var restarted = false;
            foreach (var version in batch)
            {
                var commonPrefix = CommonPrefix(version.Key, prefix, delimiter);
                if (entries.Count + prefixes.Count >= maxKeys)
                {
                    return new ListingPage<ObjectVersion>(entries, prefixes, true, last, lastWasPrefix, lastWasPrefix ? null : entries.LastOrDefault());
                }

                if (commonPrefix is not null)
                {
                    prefixes.Add(commonPrefix);
                    last = commonPrefix;
                    lastWasPrefix = true;
                    afterKey = SkipAll(Encoding.UTF8.GetBytes(commonPrefix));
                    afterSequence = null;
                    restarted = true;
                    break;
                }

                entries.Add(version);
                last = version.Key;
                lastWasPrefix = false;
                afterKey = Encoding.UTF8.GetBytes(version.Key);
                afterSequence = version.Sequence;
            }

            if (!restarted && batch.Count < Batch)
            {
                return new ListingPage<ObjectVersion>(entries, prefixes, false, last, lastWasPrefix, lastWasPrefix ? null : entries.LastOrDefault());
            }
        }
    }

    internal static string? CommonPrefix(string key, string prefix, string? delimiter)
    {
        if (string.IsNullOrEmpty(delimiter))
        {
            return null;
        }

        var index = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
        return index < 0 ? null : key[..(index + delimiter.Length)];
    }

    /// <summary>UTF-8 never contains 0xFF: prefix+0xFF sorts after every key that starts with prefix.</summary>
    private static byte[] SkipAll(byte[] prefix)
    {
        var result = new byte[prefix.Length + 1];
        prefix.CopyTo(result, 0);
        result[^1] = 0xFF;
        return result;
    }
}
