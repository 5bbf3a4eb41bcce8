using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Ztdr.S3.Checksums;

/// <summary>
/// An incremental flexible checksum over an object body. Values are the big-endian digest bytes,
/// base64-encoded, exactly as AWS sends and expects them (CRC32 of "123456789" is <c>y/Q5Jg==</c>).
/// </summary>
public abstract class ObjectChecksum : IDisposable
{
    private protected ObjectChecksum(ChecksumAlgorithm algorithm)
    {
        Algorithm = algorithm;
    }

    public ChecksumAlgorithm Algorithm { get; }

    public static ObjectChecksum Create(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => new Crc32Checksum(),
        ChecksumAlgorithm.Crc32c => new Crc32cChecksum(),
        ChecksumAlgorithm.Crc64Nvme => new Crc64NvmeChecksum(),
        ChecksumAlgorithm.Sha1 or ChecksumAlgorithm.Sha256 => new CryptographicChecksum(algorithm),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>One-shot digest of <paramref name="data"/>, as base64 of the big-endian bytes.</summary>
    public static string ComputeBase64(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        using var checksum = Create(algorithm);
        checksum.Append(data);
        return checksum.GetCurrentBase64();
    }

    public abstract void Append(ReadOnlySpan<byte> data);

    /// <summary>The big-endian digest of everything appended so far; appending may continue afterwards.</summary>
    public byte[] GetBytes()
    {
        var digest = new byte[Algorithm.DigestLength()];
        WriteDigest(digest);
        return digest;
    }

    public string GetCurrentBase64() => Convert.ToBase64String(GetBytes());

    /// <summary>
    /// Whether the digest so far equals <paramref name="expectedBase64"/>. Compared as bytes, so a value
    /// that is not canonical base64 for the digest never matches.
    /// </summary>
    public bool Matches(string? expectedBase64)
    {
        if (expectedBase64 is null)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        if (!Convert.TryFromBase64String(expectedBase64.Trim(), expected, out var written)
            || written != Algorithm.DigestLength())
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[32];
        WriteDigest(actual[..written]);
        return actual[..written].SequenceEqual(expected[..written]);
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Writes the current digest, big-endian, into exactly <see cref="ChecksumAlgorithmNames.DigestLength"/> bytes.</summary>
    private protected abstract void WriteDigest(Span<byte> destination);

    private sealed class Crc32Checksum : ObjectChecksum
    {
        private readonly Crc32 _crc = new();

        public Crc32Checksum()
            : base(ChecksumAlgorithm.Crc32)
        {
        }

        public override void Append(ReadOnlySpan<byte> data) => _crc.Append(data);

        // System.IO.Hashing writes CRC32 little-endian; AWS wants big-endian, so go through the integer.
        private protected override void WriteDigest(Span<byte> destination) =>
            BinaryPrimitives.WriteUInt32BigEndian(destination, _crc.GetCurrentHashAsUInt32());
    }

    private sealed class Crc32cChecksum : ObjectChecksum
    {
        private uint _state = Crc32c.InitialState;

        public Crc32cChecksum()
            : base(ChecksumAlgorithm.Crc32c)
        {
        }

        public override void Append(ReadOnlySpan<byte> data) => _state = Crc32c.Update(_state, data);

        private protected override void WriteDigest(Span<byte> destination) =>
            BinaryPrimitives.WriteUInt32BigEndian(destination, Crc32c.Finish(_state));
    }

    private sealed class Crc64NvmeChecksum : ObjectChecksum
    {
        private ulong _state = Crc64Nvme.InitialState;

        public Crc64NvmeChecksum()
            : base(ChecksumAlgorithm.Crc64Nvme)
        {
        }

        public override void Append(ReadOnlySpan<byte> data) => _state = Crc64Nvme.Update(_state, data);

        private protected override void WriteDigest(Span<byte> destination) =>
            BinaryPrimitives.WriteUInt64BigEndian(destination, Crc64Nvme.Finish(_state));
    }

    private sealed class CryptographicChecksum : ObjectChecksum
    {
        private readonly IncrementalHash _hash;

        public CryptographicChecksum(ChecksumAlgorithm algorithm)
            : base(algorithm)
        {
            // SHA-1 is what the client chose as an integrity check on its own upload; it authenticates nothing.
#pragma warning disable CA5350
            _hash = IncrementalHash.CreateHash(algorithm == ChecksumAlgorithm.Sha1 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256);
#pragma warning restore CA5350
        }

        public override void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }

        private protected override void WriteDigest(Span<byte> destination) => _hash.GetCurrentHash(destination);
    }
}
