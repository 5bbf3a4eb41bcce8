namespace Ztdr.S3.Signing;

/// <summary>
/// A request whose SigV4 signature checked out: who sent it, and everything the body layer needs
/// to finish the job — compare <see cref="PayloadSha256Hex"/> with the body it reads, or verify
/// aws-chunked chunk signatures with <see cref="SigningKey"/>, <see cref="AmzDate"/> and
/// <see cref="Scope"/>, seeded with <see cref="Signature"/>.
/// </summary>
/// <param name="AccessKeyId">The caller; authorisation decisions start here.</param>
/// <param name="Region">Region from the credential scope.</param>
/// <param name="AmzDate">Request time in ISO-8601 basic form (yyyyMMddTHHmmssZ), as it was signed.</param>
/// <param name="Scope">yyyyMMdd/region/s3/aws4_request.</param>
/// <param name="SigningKey">Derived key for this scope; never the secret itself.</param>
/// <param name="Signature">The verified request signature (lower-case hex); the seed of a chunk-signature chain.</param>
/// <param name="PayloadMode">How the body is framed and protected.</param>
/// <param name="PayloadSha256Hex">Lower-case hex SHA-256 the body must have when <see cref="PayloadMode.SignedSha256"/>; otherwise null.</param>
/// <param name="Presigned">True for query-string (presigned URL) authentication.</param>
public sealed record SigV4Authentication(
    string AccessKeyId,
    string Region,
    string AmzDate,
    string Scope,
    byte[] SigningKey,
    string Signature,
    PayloadMode PayloadMode,
    string? PayloadSha256Hex,
    bool Presigned);
