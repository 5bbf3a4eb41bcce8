namespace Ztdr.S3.Xml;

/// <summary>
/// Decides how a listing writes its key-like values (keys, prefixes, delimiter, markers) and applies it.
/// </summary>
/// <remarks>
/// A key may hold characters XML 1.0 cannot carry (U+0001, U+001F, U+FFFF ...). AWS then fails the listing unless
/// the client asked for <c>encoding-type=url</c>. We instead switch that one response to url encoding and echo
/// <c>&lt;EncodingType&gt;url&lt;/EncodingType&gt;</c>: the echo is exactly the signal S3 clients (botocore,
/// AWSSDK.S3, minio-go) use to decode, so they get every key right. The alternatives are worse for a backup
/// appliance: an error makes one odd key hide the whole bucket from listing (and from a restore), a character
/// reference makes the client's XML parser fail the same way, and substituting U+FFFD would list a key that
/// GET and DELETE cannot find. The values stay honest either way: encoded-and-echoed or verbatim, never mixed.
/// </remarks>
internal sealed class ListingKeyEncoder
{
    private static readonly ListingKeyEncoder Verbatim = new(url: false);
    private static readonly ListingKeyEncoder Url = new(url: true);

    private ListingKeyEncoder(bool url) => IsUrl = url;

    /// <summary>True when values are url-encoded and the response must carry <c>&lt;EncodingType&gt;url&lt;/EncodingType&gt;</c>.</summary>
    public bool IsUrl { get; }

    public static ListingKeyEncoder For(ListEncodingType requested, IEnumerable<string?> keyLikeValues) =>
        requested == ListEncodingType.Url || keyLikeValues.Any(XmlOutput.HasNonXmlChars) ? Url : Verbatim;

    public string Encode(string value) => IsUrl ? S3UrlEncoding.Encode(value) : value;

    public string? EncodeOptional(string? value) => value is null ? null : Encode(value);
}
