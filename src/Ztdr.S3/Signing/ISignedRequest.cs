namespace Ztdr.S3.Signing;

/// <summary>
/// What SigV4 verification needs from an HTTP request, free of any web framework.
/// Implementations must hand over the request exactly as received: the verifier decodes
/// the target itself, once, because every decoding step a framework does is a chance to
/// make the signed bytes and the served key disagree.
/// </summary>
public interface ISignedRequest
{
    /// <summary>The HTTP method as on the request line (upper-case for every S3 client).</summary>
    string Method { get; }

    /// <summary>Path and query exactly as on the request line, still percent-encoded.</summary>
    string RawTarget { get; }

    /// <summary>Lower-case header names present on the request.</summary>
    IEnumerable<string> HeaderNames { get; }

    /// <summary>Looks a header up by lower-case name; several values arrive already joined with ','.</summary>
    bool TryGetHeader(string lowerCaseName, out string value);
}
