namespace Ztdr.S3.Signing;

/// <summary>
/// An in-memory <see cref="ISignedRequest"/>: what tests, the signer and clients build.
/// Header names are folded to lower case and repeated headers joined with ',' as HTTP does.
/// </summary>
public sealed class SignedRequest : ISignedRequest
{
    private readonly Dictionary<string, string> _headers;

    public SignedRequest(string method, string rawTarget, IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(rawTarget);
        ArgumentNullException.ThrowIfNull(headers);

        Method = method;
        RawTarget = rawTarget;
        _headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.ToLowerInvariant();
            _headers[key] = _headers.TryGetValue(key, out var existing) ? existing + "," + value : value;
        }
    }

    public string Method { get; }

    public string RawTarget { get; }

    public IEnumerable<string> HeaderNames => _headers.Keys;

    /// <summary>Every header, lower-case name first, in no particular order.</summary>
    public IReadOnlyDictionary<string, string> Headers => _headers;

    public bool TryGetHeader(string lowerCaseName, out string value)
    {
        if (_headers.TryGetValue(lowerCaseName, out var found))
        {
            value = found;
            return true;
        }

        value = string.Empty;
        return false;
    }

    /// <summary>A copy with one header set (replacing any value), or removed when <paramref name="value"/> is null.</summary>
    public SignedRequest WithHeader(string name, string? value)
    {
        var headers = new Dictionary<string, string>(_headers, StringComparer.Ordinal);
        if (value is null)
        {
            headers.Remove(name.ToLowerInvariant());
        }
        else
        {
            headers[name.ToLowerInvariant()] = value;
        }

        return new SignedRequest(Method, RawTarget, headers);
    }

    /// <summary>A copy with another target (path and query, still encoded).</summary>
    public SignedRequest WithTarget(string rawTarget) => new(Method, rawTarget, _headers);
}
