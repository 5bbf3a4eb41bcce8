using System.Globalization;
using Ztdr.S3.Checksums;
using Ztdr.S3.Errors;
using Ztdr.S3.Signing;
using Ztdr.S3.Streaming;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>A request body on disk whose every declared digest matched.</summary>
internal sealed record VerifiedBody(StagedFile File, string Md5Hex, StoredChecksum? Checksum)
{
    public string ETag => $"\"{Md5Hex}\"";
}

/// <summary>
/// Turns a request body into a staged, verified file: undo aws-chunked framing (checking every chunk signature),
/// hash in the same pass (MD5 for the ETag, SHA-256 when the signature covers a payload hash, the flexible checksum
/// the client named), fsync, then compare. A mismatch discards the file: nothing unverified is ever published.
/// </summary>
internal sealed class RequestBodies
{
    private readonly DataFileStore _files;
    private readonly VaultOptions _options;

    public RequestBodies(DataFileStore files, VaultOptions options)
    {
        _files = files;
        _options = options;
    }

    /// <param name="call">The request whose body to stage.</param>
    /// <param name="computeIfAbsent">A checksum to compute when the client named none (multipart parts of an upload that has one).</param>
    public async Task<VerifiedBody> StageAsync(S3Call call, ChecksumAlgorithm? computeIfAbsent = null)
    {
        var (hashing, check) = Open(call, _options.MaxObjectSize, computeIfAbsent);
        var staged = await _files.StageAsync(hashing, _options.MaxObjectSize, call.Aborted);
        try
        {
            var checksum = check();
            return new VerifiedBody(staged, hashing.GetMd5Hex(), checksum);
        }
        catch
        {
            _files.Discard(staged);
            throw;
        }
    }

    /// <summary>Reads a small XML body (DeleteObjects, CompleteMultipartUpload) into memory with the same checks.</summary>
    public async Task<byte[]> ReadSmallAsync(S3Call call, int maxBytes, bool requireIntegrityHeader)
    {
        if (requireIntegrityHeader && call.Header("content-md5") is null && ChecksumRequest.Parse(call.Header) is null)
        {
            throw new S3Exception(S3Errors.InvalidRequest, "Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
        }

        var (hashing, check) = Open(call, maxBytes, null);
        using var buffer = new MemoryStream();
        try
        {
            await hashing.CopyToAsync(buffer, call.Aborted);
        }
        catch (S3Exception e) when (e.Error == S3Errors.EntityTooLarge)
        {
            throw new S3Exception(S3Errors.MalformedXml, "The XML body is larger than this request allows.");
        }

        check();
        return buffer.ToArray();
    }

    /// <summary>
    /// The decoded, hashing body stream and the check to run once it has been read to its end
    /// (returns the verified flexible checksum, if one was requested).
    /// </summary>
    private static (HashingReadStream Hashing, Func<StoredChecksum?> Check) Open(S3Call call, long maxBytes, ChecksumAlgorithm? computeIfAbsent)
    {
        string? Header(string name) => call.Header(name);
        var auth = call.Authentication;
        var requested = ChecksumRequest.Parse(Header);
        var contentMd5 = ChecksumRequest.ParseContentMd5(Header);
        var source = OpenDecoded(call, auth, out var chunked);
        var hashing = new HashingReadStream(source, auth.PayloadMode == PayloadMode.SignedSha256, requested?.Algorithm ?? computeIfAbsent, maxBytes);
        StoredChecksum? Check()
        {
            if (auth.PayloadMode == PayloadMode.SignedSha256 && auth.PayloadSha256Hex is { } expectedSha)
            {
                hashing.VerifySha256(expectedSha);
            }

            if (contentMd5 is not null)
            {
                hashing.VerifyContentMd5(contentMd5);
            }

            if (requested is null)
            {
                return computeIfAbsent is { } computed ? new StoredChecksum(computed.WireName(), hashing.GetChecksumBase64()!, "FULL_OBJECT") : null;
            }

            var expected = requested.ExpectedBase64;
            if (requested.InTrailer && (chunked is null || !chunked.Trailers.TryGetValue(requested.HeaderName, out expected)))
            {
                throw new S3Exception(S3Errors.InvalidRequest, $"The trailer {requested.HeaderName} announced in x-amz-trailer was not sent.");
            }

            hashing.VerifyChecksum(expected);
            return new StoredChecksum(requested.Algorithm.WireName(), hashing.GetChecksumBase64()!, "FULL_OBJECT");
        }

        return (hashing, Check);
    }

    private static Stream OpenDecoded(S3Call call, SigV4Authentication auth, out AwsChunkedStream? chunked)
    {
        var body = new ClientBodyStream(call.Http.Request.Body);
        var contentLength = call.Http.Request.ContentLength;
        var isHttpChunked = call.Header("transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
        chunked = null;
        switch (auth.PayloadMode)
        {
            case PayloadMode.SignedSha256:
            case PayloadMode.Unsigned:
                if (contentLength is null && !isHttpChunked)
                {
                    throw new S3Exception(S3Errors.MissingContentLength);
                }

                return body;
            default:
                var decodedHeader = call.Header("x-amz-decoded-content-length");
                long? decoded = null;
                if (decodedHeader is not null)
                {
                    if (!long.TryParse(decodedHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                    {
                        throw new S3Exception(S3Errors.InvalidArgument, "x-amz-decoded-content-length is not a valid length.").With("ArgumentName", "x-amz-decoded-content-length");
                    }

                    decoded = value;
                }
                else if (contentLength is null)
                {
                    throw new S3Exception(S3Errors.MissingContentLength, "aws-chunked uploads must declare x-amz-decoded-content-length.");
                }

                var signing = auth.PayloadMode == PayloadMode.StreamingUnsignedTrailer
                    ? null
                    : new ChunkSigningContext(auth.SigningKey, auth.AmzDate, auth.Scope, auth.Signature);
                var trailers = auth.PayloadMode == PayloadMode.StreamingSigned ? [] : ChecksumRequest.TrailerNames(call.Header);
                chunked = new AwsChunkedStream(body, signing, trailers, decoded);
                return chunked;
        }
    }
}
