using Ztdr.S3.Errors;

namespace Ztdr.S3.Xml;

/// <summary>The Error document: Code, Message, the detail elements in order, RequestId, HostId.</summary>
public sealed record S3ErrorBody(string Code, string Message, IReadOnlyList<KeyValuePair<string, string>> Details, string RequestId, string HostId)
{
    public static S3ErrorBody From(S3Exception exception, string requestId, string hostId)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(exception.Error.Code, exception.Message, [.. exception.Details], requestId, hostId);
    }
}
