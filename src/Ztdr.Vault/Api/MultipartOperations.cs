using System.Globalization;
using System.Security.Cryptography;
using Ztdr.S3.Checksums;
using Ztdr.S3.Errors;
using Ztdr.S3.Streaming;
using Ztdr.S3.Xml;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>Multipart uploads: create, upload part (and part copy), complete, abort, list parts, list uploads.</summary>
internal sealed class MultipartOperations
{
    /// <summary>Every part but the last must be at least this large (S3's rule, checked at completion).</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    private static readonly S3Owner Owner = new("ztdr-vault", "ztdr-vault");
    private readonly VaultStore _store;
    private readonly ObjectReader _reader;
    private readonly RequestBodies _bodies;
    private readonly CopyOperation _copy;
    private readonly TimeProvider _time;

    public MultipartOperations(VaultStore store, ObjectReader reader, RequestBodies bodies, CopyOperation copy, TimeProvider time)
    {
        _time = time;
        _store = store;
        _reader = reader;
        _bodies = bodies;
        _copy = copy;
    }

    public async Task CreateAsync(S3Call call)
    {
        call.Require(S3Action.PutObject);
        var bucket = _store.Buckets.Get(call.Bucket);
        var headers = ObjectHeaders.FromRequest(call);
        var (retention, legalHold) = ObjectOperations.RequestedLock(call, bucket);
        string? algorithm = null;
        string? type = null;
        if (call.Header("x-amz-checksum-algorithm") is { } requested)
        {
            if (!ChecksumAlgorithmNames.TryParseWireName(requested.ToUpperInvariant(), out var parsed))
            {
                throw new S3Exception(S3Errors.InvalidRequest, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
            }

            algorithm = parsed.WireName();
            type = call.Header("x-amz-checksum-type")?.ToUpperInvariant() switch
            {
                null => parsed == ChecksumAlgorithm.Crc64Nvme ? "FULL_OBJECT" : "COMPOSITE",
                "COMPOSITE" when parsed != ChecksumAlgorithm.Crc64Nvme => "COMPOSITE",
                "FULL_OBJECT" when parsed is ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32c or ChecksumAlgorithm.Crc64Nvme => "FULL_OBJECT",
                var other => throw new S3Exception(S3Errors.InvalidRequest, $"The {other} checksum type cannot be used with the {parsed.WireName()} checksum algorithm."),
            };
        }

        var upload = await _store.Uploads.CreateAsync(bucket.Name, call.ObjectKey, headers, algorithm, type, retention, legalHold, call.Now, CancellationToken.None);
        if (algorithm is not null)
        {
            call.Http.Response.Headers["x-amz-checksum-algorithm"] = algorithm;
            call.Http.Response.Headers["x-amz-checksum-type"] = type;
        }

        await Responses.XmlAsync(call, MultipartXmlWriter.ToBytes(new InitiateMultipartUploadResult(bucket.Name, call.ObjectKey, upload.UploadId)));
    }

    public async Task UploadPartAsync(S3Call call)
    {
        call.Require(S3Action.PutObject);
        _ = _store.Buckets.Get(call.Bucket);
        var partNumber = ParsePartNumber(call.Target.Get("partNumber"));
        var upload = _store.Uploads.Get(call.Bucket, call.ObjectKey, call.Target.Get("uploadId")!);
        var algorithm = upload.ChecksumAlgorithm is { } name && ChecksumAlgorithmNames.TryParseWireName(name, out var parsed) ? parsed : (ChecksumAlgorithm?)null;
        StagedFile staged;
        string etag;
        StoredChecksum? checksum;
        var isCopy = call.Header("x-amz-copy-source") is not null;
        if (isCopy)
        {
            var source = _copy.ResolveSource(call);
            var range = CopySourceRange(call.Header("x-amz-copy-source-range"), source.Size);
            (staged, etag, checksum) = await _copy.StageCopyAsync(source, range, algorithm, call.Aborted);
        }
        else
        {
            var body = await _bodies.StageAsync(call, algorithm);
            if (algorithm is not null && body.Checksum is { } given && given.Algorithm != upload.ChecksumAlgorithm)
            {
                _store.Files.Discard(body.File);
                throw new S3Exception(S3Errors.InvalidRequest, $"The upload was created with checksum {upload.ChecksumAlgorithm}; this part carries {given.Algorithm}.");
            }

            (staged, etag, checksum) = (body.File, body.ETag, body.Checksum);
        }

        var mutation = await _store.Commits.PutPartAsync(
            staged,
            etag,
            call.Bucket,
            call.ObjectKey,
            upload.UploadId,
            segment => new UploadedPart(partNumber, segment.FileId, segment.Size, etag, upload.ChecksumAlgorithm is null ? null : checksum?.Value, _time.GetUtcNow()));
        if (checksum is not null && upload.ChecksumAlgorithm is not null)
        {
            call.Http.Response.Headers["x-amz-checksum-" + checksum.Algorithm.ToLowerInvariant()] = checksum.Value;
        }

        if (isCopy)
        {
            await Responses.XmlAsync(call, MultipartXmlWriter.ToBytes(new CopyPartResult(etag, mutation.Result.LastModified)));
            return;
        }

        call.Http.Response.Headers.ETag = etag;
        call.Http.Response.StatusCode = 200;
    }

    public async Task CompleteAsync(S3Call call)
    {
        call.Require(S3Action.PutObject);
        var bucket = _store.Buckets.Get(call.Bucket);
        var uploadId = call.Target.Get("uploadId")!;
        var upload = _store.Uploads.Get(bucket.Name, call.ObjectKey, uploadId);
        var body = await _bodies.ReadSmallAsync(call, S3Xml.DefaultMaxBodyBytes * 32, requireIntegrityHeader: false);
        var request = MultipartXmlParser.ParseCompleteMultipartUpload(body);
        var stored = _store.Uploads.ListParts(uploadId, 0, 10000).ToDictionary(p => p.PartNumber);
        var chosen = ChooseParts(request, stored);

        // A full-object checksum is computed over the assembled bytes before the (short) metadata transaction.
        var checksum = await ObjectChecksumAsync(upload, chosen, call.Aborted);
        var etag = MultipartETag(chosen);
        var size = chosen.Sum(p => p.Size);
        var mutation = await _store.Commits.CompleteUploadAsync(bucket.Name, call.ObjectKey, uploadId, (current, parts) =>
        {
            foreach (var part in chosen)
            {
                if (!parts.TryGetValue(part.PartNumber, out var now) || now.FileId != part.FileId)
                {
                    throw new S3Exception(S3Errors.InvalidPart, $"Part {part.PartNumber} was replaced while the upload was being completed.");
                }
            }

            return new NewVersion(bucket.Name, call.ObjectKey, size, etag, current.Headers, checksum, chosen.Select(p => new Segment(p.FileId, p.Size, p.ETag)).ToList())
            {
                Writer = call.Key.AccessKeyId,
            };
        }, call.Now);
        call.AuditVersionId = mutation.Result.VersionId;
        call.AuditLock = Audit.AuditLock.Created(mutation.Result.Lock);
        ObjectOperations.WriteVersionHeader(call, bucket, mutation.Result.VersionId);
        var result = new CompleteMultipartUploadResult($"/{bucket.Name}/{call.ObjectKey}", bucket.Name, call.ObjectKey, etag)
        {
            Checksums = ToXml(checksum),
        };
        await Responses.XmlAsync(call, MultipartXmlWriter.ToBytes(result));
    }

    public async Task AbortAsync(S3Call call)
    {
        call.Require(S3Action.PutObject);
        _ = _store.Buckets.Get(call.Bucket);
        await _store.Commits.AbortUploadAsync(call.Bucket, call.ObjectKey, call.Target.Get("uploadId")!);
        call.Http.Response.StatusCode = 204;
    }

    public Task ListPartsAsync(S3Call call)
    {
        call.Require(S3Action.ListObjects);
        _ = _store.Buckets.Get(call.Bucket);
        var upload = _store.Uploads.Get(call.Bucket, call.ObjectKey, call.Target.Get("uploadId")!);
        var marker = ParseNonNegative(call.Target.Get("part-number-marker"), "part-number-marker", 0);
        var maxParts = Math.Min(ParseNonNegative(call.Target.Get("max-parts"), "max-parts", 1000), 1000);
        var parts = _store.Uploads.ListParts(upload.UploadId, marker, maxParts + 1);
        var page = parts.Take(maxParts).ToList();
        var result = new ListPartsResult
        {
            Bucket = upload.Bucket,
            Key = upload.Key,
            UploadId = upload.UploadId,
            PartNumberMarker = marker,
            NextPartNumberMarker = page.Count > 0 ? page[^1].PartNumber : 0,
            MaxParts = maxParts,
            IsTruncated = parts.Count > maxParts,
            Parts = page.Select(p => new ListedPart(p.PartNumber, p.LastModified, p.ETag, p.Size) { Checksums = ToXml(p.Checksum is null ? null : new StoredChecksum(upload.ChecksumAlgorithm!, p.Checksum, "FULL_OBJECT")) }).ToList(),
            Initiator = Owner,
            Owner = Owner,
        };
        return Responses.XmlAsync(call, MultipartXmlWriter.ToBytes(result));
    }

    public Task ListUploadsAsync(S3Call call)
    {
        call.Require(S3Action.ListObjects);
        var bucket = _store.Buckets.Get(call.Bucket);
        var (prefix, delimiter, maxUploads, encoding) = ListOperations.CommonParameters(call);
        var keyMarker = call.Target.Get("key-marker") ?? string.Empty;
        var uploadIdMarker = call.Target.Get("upload-id-marker") ?? string.Empty;
        var afterKey = keyMarker.Length == 0 ? null : System.Text.Encoding.UTF8.GetBytes(keyMarker);
        var uploads = _store.Uploads.ListUploads(bucket.Name, System.Text.Encoding.UTF8.GetBytes(prefix), afterKey, uploadIdMarker.Length == 0 ? null : uploadIdMarker, maxUploads + 1);
        var page = uploads.Take(maxUploads).ToList();
        var truncated = uploads.Count > maxUploads;
        var result = new ListMultipartUploadsResult
        {
            Bucket = bucket.Name,
            KeyMarker = keyMarker,
            UploadIdMarker = uploadIdMarker,
            NextKeyMarker = truncated ? page[^1].Key : string.Empty,
            NextUploadIdMarker = truncated ? page[^1].UploadId : string.Empty,
            Prefix = prefix,
            Delimiter = delimiter,
            MaxUploads = maxUploads,
            IsTruncated = truncated,
            EncodingType = encoding,
            Uploads = page.Select(u => new ListedUpload(u.Key, u.UploadId, Owner, Owner, u.Initiated) { ChecksumAlgorithm = u.ChecksumAlgorithm }).ToList(),
        };
        return Responses.XmlAsync(call, MultipartXmlWriter.ToBytes(result));
    }

    private static List<UploadedPart> ChooseParts(CompleteMultipartUpload request, Dictionary<int, UploadedPart> stored)
    {
        var previous = 0;
        foreach (var part in request.Parts)
        {
            if (part.PartNumber <= previous)
            {
                throw new S3Exception(S3Errors.InvalidPartOrder);
            }

            previous = part.PartNumber;
        }

        var chosen = new List<UploadedPart>(request.Parts.Count);
        foreach (var part in request.Parts)
        {
            if (!stored.TryGetValue(part.PartNumber, out var found) || found.ETag.Trim('"') != part.ETag.Trim('"'))
            {
                throw new S3Exception(S3Errors.InvalidPart).With("PartNumber", part.PartNumber.ToString(CultureInfo.InvariantCulture)).With("ETag", part.ETag);
            }

            chosen.Add(found);
        }

        for (var i = 0; i < chosen.Count - 1; i++)
        {
            if (chosen[i].Size < MinPartSize)
            {
                throw new S3Exception(S3Errors.EntityTooSmall)
                    .With("ProposedSize", chosen[i].Size.ToString(CultureInfo.InvariantCulture))
                    .With("MinSizeAllowed", MinPartSize.ToString(CultureInfo.InvariantCulture))
                    .With("PartNumber", chosen[i].PartNumber.ToString(CultureInfo.InvariantCulture));
            }
        }

        return chosen;
    }

    /// <summary>S3's multipart ETag: MD5 of the concatenated binary part MD5s, then "-" and the part count.</summary>
    internal static string MultipartETag(IReadOnlyList<UploadedPart> parts)
    {
        var concatenated = new byte[parts.Count * 16];
        for (var i = 0; i < parts.Count; i++)
        {
            Convert.FromHexString(parts[i].ETag.Trim('"')).CopyTo(concatenated, i * 16);
        }

#pragma warning disable CA5351 // MD5 is S3's ETag format, not a security control.
        return $"\"{Convert.ToHexStringLower(MD5.HashData(concatenated))}-{parts.Count.ToString(CultureInfo.InvariantCulture)}\"";
#pragma warning restore CA5351
    }

    private async Task<StoredChecksum?> ObjectChecksumAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken)
    {
        if (upload.ChecksumAlgorithm is null || !ChecksumAlgorithmNames.TryParseWireName(upload.ChecksumAlgorithm, out var algorithm))
        {
            return null;
        }

        if (upload.ChecksumType == "FULL_OBJECT")
        {
            var segments = parts.Select(p => new Segment(p.FileId, p.Size, p.ETag)).ToList();
            await using var stream = _reader.OpenRange(segments, 0, parts.Sum(p => p.Size), cancellationToken);
            using var hashing = new HashingReadStream(stream, computeSha256: false, algorithm);
            await hashing.CopyToAsync(Stream.Null, cancellationToken);
            return new StoredChecksum(upload.ChecksumAlgorithm, hashing.GetChecksumBase64()!, "FULL_OBJECT");
        }

        if (parts.Any(p => p.Checksum is null))
        {
            return null;
        }

        return new StoredChecksum(upload.ChecksumAlgorithm, MultipartChecksum.Composite(algorithm, parts.Select(p => p.Checksum!).ToList()), "COMPOSITE");
    }

    private static S3Checksums? ToXml(StoredChecksum? checksum) => checksum?.Algorithm switch
    {
        null => null,
        "CRC32" => new S3Checksums { Crc32 = checksum.Value, Type = checksum.Type },
        "CRC32C" => new S3Checksums { Crc32C = checksum.Value, Type = checksum.Type },
        "CRC64NVME" => new S3Checksums { Crc64Nvme = checksum.Value, Type = checksum.Type },
        "SHA1" => new S3Checksums { Sha1 = checksum.Value, Type = checksum.Type },
        "SHA256" => new S3Checksums { Sha256 = checksum.Value, Type = checksum.Type },
        _ => null,
    };

    private static int ParsePartNumber(string? text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 10000)
        {
            throw new S3Exception(S3Errors.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive").With("ArgumentName", "partNumber").With("ArgumentValue", text ?? string.Empty);
        }

        return number;
    }

    private static int ParseNonNegative(string? text, string name, int fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new S3Exception(S3Errors.InvalidArgument, $"{name} must be a non-negative integer").With("ArgumentName", name).With("ArgumentValue", text);
        }

        return value;
    }

    private static ByteRange CopySourceRange(string? header, long size)
    {
        if (header is null)
        {
            return new ByteRange(0, size);
        }

        var spec = header.StartsWith("bytes=", StringComparison.Ordinal) ? header[6..] : null;
        var dash = spec?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (spec is null || dash <= 0
            || !long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(spec[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || end < start)
        {
            throw new S3Exception(S3Errors.InvalidArgument, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").With("ArgumentName", "x-amz-copy-source-range");
        }

        if (end >= size)
        {
            throw new S3Exception(S3Errors.InvalidRequest, $"The specified copy range is invalid for the source object size: {size}").With("ArgumentName", "x-amz-copy-source-range");
        }

        return new ByteRange(start, end - start + 1);
    }
}
