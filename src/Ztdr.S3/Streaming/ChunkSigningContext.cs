namespace Ztdr.S3.Streaming;

/// <summary>
/// What chunk signatures of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] body are checked against:
/// the SigV4 signing key of the request (HMAC chain "AWS4"+secret → date → region → "s3" → "aws4_request"),
/// its x-amz-date, its credential scope (<c>20130524/us-east-1/s3/aws4_request</c>) and the request's own
/// signature from the Authorization header, which seeds the chain.
/// </summary>
public sealed record ChunkSigningContext(byte[] SigningKey, string AmzDate, string Scope, string SeedSignature);
