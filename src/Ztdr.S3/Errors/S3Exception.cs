namespace Ztdr.S3.Errors;

/// <summary>
/// A request rejected with an S3 error. The API layer turns it into S3's XML error body in one place;
/// nothing else writes error responses.
/// </summary>
public sealed class S3Exception : Exception
{
    public S3Exception(S3Error error, string? message = null, Exception? inner = null)
        : base(message ?? error.DefaultMessage, inner)
    {
        Error = error;
    }

    public S3Error Error { get; }

    /// <summary>Extra elements for the XML error body (Key, BucketName, ArgumentName, StringToSign, ...), in order.</summary>
    public IList<KeyValuePair<string, string>> Details { get; } = new List<KeyValuePair<string, string>>();

    /// <summary>Extra response headers the error must carry (x-amz-delete-marker, Content-Range, ...).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public S3Exception With(string element, string value)
    {
        Details.Add(new(element, value));
        return this;
    }

    public S3Exception WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }
}
