using System.Net;
using System.Text;
using Ztdr.S3.Errors;

namespace Ztdr.Vault.Api;

/// <summary>
/// Bucket, key and query of a request, read from the raw request target (never from ASP.NET's decoded path, which
/// unescapes %2F inconsistently) and the Host header for virtual-hosted addressing.
/// </summary>
public sealed class RequestTarget
{
    public const int MaxKeyBytes = 1024;

    private readonly Dictionary<string, string> _query;

    private RequestTarget(string? bucket, string? key, Dictionary<string, string> query)
    {
        Bucket = bucket;
        Key = key;
        _query = query;
    }

    public string? Bucket { get; }

    public string? Key { get; }

    public IReadOnlyDictionary<string, string> Query => _query;

    public bool Has(string name) => _query.ContainsKey(name);

    public string? Get(string name) => _query.TryGetValue(name, out var value) ? value : null;

    /// <summary>Parses a raw target such as <c>/bucket/a%20b?versionId=x</c>; <paramref name="baseDomains"/> enable bucket.domain hosts.</summary>
    public static RequestTarget Parse(string rawTarget, string? host, IReadOnlyCollection<string> baseDomains)
    {
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? string.Empty : rawTarget[(queryStart + 1)..];
        if (!rawPath.StartsWith('/'))
        {
            throw new S3Exception(S3Errors.InvalidRequest, "The request target must be an absolute path.");
        }

        var path = DecodePath(rawPath);
        var query = ParseQuery(rawQuery);
        var hostBucket = BucketFromHost(host, baseDomains);
        string? bucket;
        string? key;
        if (hostBucket is not null)
        {
            bucket = hostBucket;
            key = path.Length > 1 ? path[1..] : null;
        }
        else
        {
            var rest = path[1..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            bucket = slash < 0 ? rest : rest[..slash];
            key = slash < 0 ? null : rest[(slash + 1)..];
            if (bucket.Length == 0)
            {
                bucket = null;
            }
        }

        if (key is { Length: 0 })
        {
            key = null;
        }

        if (key is not null)
        {
            ValidateKey(key);
        }

        return new RequestTarget(bucket, key, query);
    }

    /// <summary>
    /// Keys are opaque to storage (they never become file paths), but a key over 1024 UTF-8 bytes or with a "." or ".."
    /// segment is refused, as MinIO does: such names turn into path traversal in the tools that later restore them.
    /// </summary>
    public static void ValidateKey(string key)
    {
        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            throw new S3Exception(S3Errors.KeyTooLongError).With("Size", Encoding.UTF8.GetByteCount(key).ToString(System.Globalization.CultureInfo.InvariantCulture)).With("MaxSizeAllowed", "1024");
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment is "." or "..")
            {
                throw new S3Exception(S3Errors.InvalidArgument, "Object key has a '.' or '..' path segment; this vault refuses such keys.").With("ArgumentName", "key");
            }
        }

        if (key.Contains('\0', StringComparison.Ordinal))
        {
            throw new S3Exception(S3Errors.InvalidArgument, "Object key contains a NUL character.").With("ArgumentName", "key");
        }
    }

    internal static string? BucketFromHost(string? host, IReadOnlyCollection<string> baseDomains)
    {
        if (string.IsNullOrEmpty(host) || baseDomains.Count == 0)
        {
            return null;
        }

        var name = host;
        if (name.StartsWith('['))
        {
            return null; // IPv6 literal: always path style
        }

        var colon = name.LastIndexOf(':');
        if (colon >= 0)
        {
            name = name[..colon];
        }

        if (IPAddress.TryParse(name, out _))
        {
            return null;
        }

        foreach (var domain in baseDomains)
        {
            if (name.Length > domain.Length + 1
                && name.EndsWith(domain, StringComparison.OrdinalIgnoreCase)
                && name[name.Length - domain.Length - 1] == '.')
            {
                return name[..(name.Length - domain.Length - 1)];
            }
        }

        return null;
    }

    private static string DecodePath(string rawPath)
    {
        try
        {
            return PercentDecode(rawPath, plusIsSpace: false);
        }
        catch (DecoderFallbackException)
        {
            throw new S3Exception(S3Errors.InvalidArgument, "The request path is not valid UTF-8.");
        }
    }

    private static Dictionary<string, string> ParseQuery(string rawQuery)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rawQuery.Length == 0)
        {
            return result;
        }

        foreach (var pair in rawQuery.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            try
            {
                var name = PercentDecode(eq < 0 ? pair : pair[..eq], plusIsSpace: true);
                var value = eq < 0 ? string.Empty : PercentDecode(pair[(eq + 1)..], plusIsSpace: true);
                result.TryAdd(name, value);
            }
            catch (DecoderFallbackException)
            {
                throw new S3Exception(S3Errors.InvalidArgument, "The query string is not valid UTF-8.");
            }
        }

        return result;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    internal static string PercentDecode(string value, bool plusIsSpace)
    {
        if (!value.Contains('%', StringComparison.Ordinal) && !(plusIsSpace && value.Contains('+', StringComparison.Ordinal)))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes.Add((byte)' ');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value.Substring(i, 2)));
                i++;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return StrictUtf8.GetString(bytes.ToArray());
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
