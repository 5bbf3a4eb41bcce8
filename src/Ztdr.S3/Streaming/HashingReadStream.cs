using System.Globalization;
using System.Security.Cryptography;
using Ztdr.S3.Checksums;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Streaming;

/// <summary>
/// Passes a body through unchanged while counting it and feeding every digest the vault needs, so one
/// streaming pass yields the ETag (MD5), the x-amz-content-sha256 check (SHA-256, optional) and the flexible
/// checksum (optional). Digests are available once the stream has been read to its end; the
/// <c>Verify*</c> methods then reject with the S3 error a mismatch calls for.
/// </summary>
/// <remarks>The inner stream is not disposed.</remarks>
public sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _md5;
    private readonly IncrementalHash? _sha256;
    private readonly ObjectChecksum? _checksum;
    private readonly long? _maxLength;

    private long _bytesRead;
    private byte[]? _md5Digest;
    private byte[]? _sha256Digest;
    private string? _checksumBase64;
    private bool _disposed;

    /// <param name="inner">The decoded object body.</param>
    /// <param name="computeSha256">Whether to hash SHA-256 (when x-amz-content-sha256 carries a hex hash).</param>
    /// <param name="checksum">The flexible checksum to compute, if the request asked for one.</param>
    /// <param name="maxLength">Refuse with EntityTooLarge once more than this many bytes have arrived.</param>
    public HashingReadStream(Stream inner, bool computeSha256 = false, ChecksumAlgorithm? checksum = null, long? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;

        // MD5 is S3's ETag format, not a security control.
#pragma warning disable CA5351
        _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        _sha256 = computeSha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        _checksum = checksum is { } algorithm ? ObjectChecksum.Create(algorithm) : null;
        _maxLength = maxLength;
    }

    public long BytesRead => _bytesRead;

    /// <summary>True once the inner stream reported its end and the digests are final.</summary>
    public bool IsCompleted => _md5Digest is not null;

    public ChecksumAlgorithm? ChecksumAlgorithm => _checksum?.Algorithm;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The MD5 of the body (16 bytes).</summary>
    public byte[] GetMd5() => (byte[])Final(_md5Digest).Clone();

    /// <summary>The MD5 as lower-case hex, i.e. a single-part ETag without its quotes.</summary>
    public string GetMd5Hex() => Convert.ToHexStringLower(Final(_md5Digest));

    /// <summary>The SHA-256 of the body as lower-case hex, as x-amz-content-sha256 carries it.</summary>
    public string GetSha256Hex() =>
        _sha256 is null
            ? throw new InvalidOperationException("SHA-256 was not requested for this stream.")
            : Convert.ToHexStringLower(Final(_sha256Digest));

    /// <summary>The flexible checksum as base64 of the big-endian digest, or null when none was requested.</summary>
    public string? GetChecksumBase64()
    {
        Final(_md5Digest);
        return _checksumBase64;
    }

    /// <summary>Rejects with BadDigest when the body's MD5 differs from Content-MD5.</summary>
    public void VerifyContentMd5(ReadOnlySpan<byte> expected)
    {
        if (!CryptographicOperations.FixedTimeEquals(Final(_md5Digest), expected))
        {
            throw new S3Exception(S3Errors.BadDigest, "The Content-MD5 you specified did not match what we received.");
        }
    }

    /// <summary>Rejects with XAmzContentSHA256Mismatch when the body's SHA-256 differs from the signed payload hash.</summary>
    public void VerifySha256(string expectedHex)
    {
        if (!string.Equals(GetSha256Hex(), expectedHex?.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw new S3Exception(S3Errors.XAmzContentSha256Mismatch)
                .With("ClientComputedContentSHA256", expectedHex ?? string.Empty)
                .With("S3ComputedContentSHA256", GetSha256Hex());
        }
    }

    /// <summary>Rejects with BadDigest when the body's flexible checksum differs from the header or trailer value.</summary>
    public void VerifyChecksum(string? expectedBase64)
    {
        var actual = GetChecksumBase64() ?? throw new InvalidOperationException("No checksum was requested for this stream.");
        if (!string.Equals(actual, expectedBase64?.Trim(), StringComparison.Ordinal))
        {
            throw new S3Exception(
                S3Errors.BadDigest,
                $"The {_checksum!.Algorithm.WireName()} you specified did not match the calculated checksum.");
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var n = _inner.Read(buffer);
        Observe(buffer[..n], eof: n == 0 && !buffer.IsEmpty);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..n], eof: n == 0 && !buffer.IsEmpty);
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _md5.Dispose();
            _sha256?.Dispose();
            _checksum?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Observe(ReadOnlySpan<byte> data, bool eof)
    {
        if (IsCompleted)
        {
            return;
        }

        if (!data.IsEmpty)
        {
            _bytesRead += data.Length;
            if (_bytesRead > _maxLength)
            {
                throw new S3Exception(S3Errors.EntityTooLarge).With("MaxSizeAllowed", _maxLength.Value.ToString(CultureInfo.InvariantCulture));
            }

            _md5.AppendData(data);
            _sha256?.AppendData(data);
            _checksum?.Append(data);
        }

        if (eof)
        {
            _sha256Digest = _sha256?.GetHashAndReset();
            _checksumBase64 = _checksum?.GetCurrentBase64();
            _md5Digest = _md5.GetHashAndReset();
        }
    }

    private static byte[] Final(byte[]? digest) =>
        digest ?? throw new InvalidOperationException("Digests are known only after the body has been read to the end.");
}
