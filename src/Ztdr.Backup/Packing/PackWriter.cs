using System.Buffers;
using System.Buffers.Binary;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Packing;

/// <summary>
/// Builds one pack in memory (repository-format.md § 7): header (40) | sealed blobs | sealed trailer | u32 trailer
/// sealed length. Each blob is compressed, then sealed under the pack's own key with its id and type in the AAD.
/// Not thread-safe: one writer per open pack.
/// </summary>
internal sealed class PackWriter : IDisposable
{
    /// <summary>At most 2^20 units per pack keeps random-nonce collisions below 2^-57 per pack (§ 5.3).</summary>
    public const int MaxBlobs = 1 << 20;

    /// <summary>No pack exceeds this, whatever one blob does to the target (§ 7).</summary>
    public const long MaxPackLength = 128L * 1024 * 1024;

    private const int TrailerLengthField = 4;

    // Sealed units on their way into the pack buffer; sealing is serialized by the repository, so this holds few.
    private static readonly ArrayPool<byte> SealBuffers = ArrayPool<byte>.Create(16 * 1024 * 1024, 4);

    private readonly MemoryStream _buffer = new();
    private readonly BlobCipher _cipher;
    private readonly List<PackEntry> _entries = [];
    private readonly HashSet<BlobId> _ids = [];
    private readonly RandomFill _random;
    private readonly int _targetSize;
    private bool _finished;

    public PackWriter(RepositoryKeys keys, ObjectId id, int targetSize, RandomFill random)
    {
        Id = id;
        _targetSize = targetSize;
        _random = random;
        _cipher = keys.CreateObjectCipher(ObjectType.Pack, id);
        _buffer.Write(new ObjectHeader(ObjectType.Pack, id).ToArray());
    }

    public ObjectId Id { get; }

    public long Length => _buffer.Length;

    public int Count => _entries.Count;

    public IReadOnlyList<PackEntry> Entries => _entries;

    /// <summary>The pack reached its target size and should be uploaded; the last blob may carry it past.</summary>
    public bool IsFull => _buffer.Length >= _targetSize || _entries.Count >= MaxBlobs;

    public bool Contains(BlobId id) => _ids.Contains(id);

    /// <summary>Compresses, seals and appends one blob; returns its entry.</summary>
    public PackEntry Add(BlobType type, BlobId id, ReadOnlySpan<byte> raw, BlobCompressor compressor)
    {
        var plain = new byte[BlobCompressor.MaxCompressedLength(raw.Length)];
        var plainLength = compressor.Compress(raw, plain);
        return AddCompressed(type, id, plain.AsSpan(0, plainLength), raw.Length);
    }

    /// <summary>
    /// Seals and appends one blob already compressed by <see cref="BlobCompressor.Compress"/>; returns its entry. What
    /// the parallel archiver calls: compression (the slow step) runs on its workers, sealing (fast, but keyed by this
    /// pack) runs here.
    /// </summary>
    public PackEntry AddCompressed(BlobType type, BlobId id, ReadOnlySpan<byte> plain, int rawLength)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_entries.Count >= MaxBlobs)
        {
            throw new InvalidOperationException($"A pack holds at most {MaxBlobs} blobs.");
        }

        var sealedLength = BlobCipher.SealedLength(plain.Length);
        var trailerBound = ((_entries.Count + 1) * PackEntry.Length) + BlobCipher.Overhead + 1 + TrailerLengthField;
        if (_buffer.Length + sealedLength + trailerBound > MaxPackLength)
        {
            throw new InvalidOperationException($"A {sealedLength}-byte blob does not fit in a pack of at most {MaxPackLength} bytes; close the pack first.");
        }

        Span<byte> nonce = stackalloc byte[BlobCipher.NonceLength];
        _random(nonce);
        Span<byte> idBytes = stackalloc byte[BlobId.Length];
        id.WriteTo(idBytes);
        var sealedUnit = SealBuffers.Rent(sealedLength);
        try
        {
            _cipher.Seal(KindOf(type), idBytes, plain, nonce, sealedUnit.AsSpan(0, sealedLength));
            _buffer.Write(sealedUnit, 0, sealedLength);
        }
        finally
        {
            SealBuffers.Return(sealedUnit);
        }

        var entry = new PackEntry(type, id, checked((uint)(_buffer.Length - sealedLength)), (uint)sealedLength, (uint)rawLength);
        _entries.Add(entry);
        _ids.Add(id);
        return entry;
    }

    /// <summary>Appends the sealed trailer and its length; returns the whole pack. The writer is done afterwards.</summary>
    public byte[] Finish(BlobCompressor compressor)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        var entries = PackEntry.WriteAll(_entries);
        var plain = new byte[BlobCompressor.MaxCompressedLength(entries.Length)];
        var plainLength = compressor.Compress(entries, plain);
        Span<byte> nonce = stackalloc byte[BlobCipher.NonceLength];
        _random(nonce);
        Span<byte> idBytes = stackalloc byte[ObjectId.Length];
        Id.WriteTo(idBytes);
        var sealedTrailer = new byte[BlobCipher.SealedLength(plainLength)];
        _cipher.Seal(SealedUnitKind.PackTrailer, idBytes, plain.AsSpan(0, plainLength), nonce, sealedTrailer);
        _buffer.Write(sealedTrailer);
        Span<byte> length = stackalloc byte[TrailerLengthField];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)sealedTrailer.Length);
        _buffer.Write(length);
        return _buffer.ToArray();
    }

    public void Dispose()
    {
        _cipher.Dispose();
        _buffer.Dispose();
    }

    internal static SealedUnitKind KindOf(BlobType type) => type switch
    {
        BlobType.Data => SealedUnitKind.DataBlob,
        BlobType.Tree => SealedUnitKind.TreeBlob,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown blob type."),
    };
}
