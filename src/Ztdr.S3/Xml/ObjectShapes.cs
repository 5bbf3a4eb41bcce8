namespace Ztdr.S3.Xml;

/// <summary>Response of CopyObject.</summary>
public sealed record CopyObjectResult(string ETag, DateTimeOffset LastModified)
{
    public S3Checksums? Checksums { get; init; }
}

/// <summary>
/// One Object of a DeleteObjects request. An empty VersionId element is passed through as "" (not null):
/// null means "the current version" and turning a malformed id into that would delete something else.
/// </summary>
public sealed record ObjectIdentifier(string Key, string? VersionId);

/// <summary>Request body of DeleteObjects: 1 to 1000 objects in request order.</summary>
public sealed record DeleteObjectsRequest(bool Quiet, IReadOnlyList<ObjectIdentifier> Objects);

/// <summary>A Deleted entry. DeleteMarker is written only when true, with DeleteMarkerVersionId.</summary>
public sealed record DeletedObject(string Key, string? VersionId = null, bool DeleteMarker = false, string? DeleteMarkerVersionId = null);

public sealed record DeleteError(string Key, string? VersionId, string Code, string Message);

/// <summary>Response of DeleteObjects. In quiet mode the vault passes no Deleted entries.</summary>
public sealed record DeleteResult(IReadOnlyList<DeletedObject> Deleted, IReadOnlyList<DeleteError> Errors);
