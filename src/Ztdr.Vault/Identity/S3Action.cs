namespace Ztdr.Vault.Identity;

/// <summary>
/// What a request asks to do, as the permission check sees it. Modelled on S3's IAM actions
/// (reference §1.8) but split where the vault's roles differ: placing and releasing a legal hold are different
/// powers, and deleting a version is not the same as creating a delete marker.
/// </summary>
public enum S3Action
{
    ListBuckets,
    CreateBucket,
    DeleteBucket,

    /// <summary>HeadBucket, GetBucketLocation: that a bucket exists and where.</summary>
    ReadBucket,
    GetBucketVersioning,
    PutBucketVersioning,
    GetBucketObjectLockConfiguration,
    PutBucketObjectLockConfiguration,

    /// <summary>ListObjects(V2), ListObjectVersions, ListMultipartUploads, ListParts: names and metadata, no data.</summary>
    ListObjects,

    /// <summary>GetObject, HeadObject, and reading a copy source: object data.</summary>
    GetObject,
    GetObjectRetention,
    GetObjectLegalHold,

    /// <summary>PutObject, CopyObject (destination), multipart create/upload/complete/abort.</summary>
    PutObject,

    /// <summary>DeleteObject without a version id: a delete marker, which hides and never destroys.</summary>
    CreateDeleteMarker,

    /// <summary>DeleteObject with a version id: permanent removal (still subject to the lock engine).</summary>
    DeleteObjectVersion,
    PutObjectRetention,
    PlaceLegalHold,
    ReleaseLegalHold,
    BypassGovernanceRetention,
}
