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

    /// <summary>Room past the target size a pack's array starts with: a last blob that carries the pack past its target usually fits.</summary>
    private const int Slack = 4 * 1024 * 1024;

    private readonly PackBuffer _buffer;
    private readonly BlobCipher _cipher;
    private readonly List<PackEntry> _entries = [];
    private readonly HashSet<BlobId> _ids = [];
    private readonly RandomFill _random;
    private readonly int _targetSize;
    private bool _finished;

    /// <summary>A writer for pack <paramref name="id"/>; <paramref name="initialCapacity"/> is the bytes to start with, by default room for a full pack (a tree pack may start smaller and grow).</summary>
    public PackWriter(RepositoryKeys keys, ObjectId id, int targetSize, RandomFill random, int? initialCapacity = null)
    {
        Id = id;
        _buffer = new PackBuffer(initialCapacity ?? (int)Math.Min(MaxPackLength, (long)targetSize + Slack));
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
        _cipher.Seal(KindOf(type), idBytes, plain, nonce, _buffer.Append(sealedLength));

        var entry = new PackEntry(type, id, checked((uint)(_buffer.Length - sealedLength)), (uint)sealedLength, (uint)rawLength);
        _entries.Add(entry);
        _ids.Add(id);
        return entry;
    }

    /// <summary>Appends the sealed trailer and its length; returns a copy of the whole pack. The writer is done afterwards.</summary>
    public byte[] Finish(BlobCompressor compressor) => FinishInPlace(compressor).ToArray();

    /// <summary>
    /// As <see cref="Finish"/>, without copying: the pack is the writer's own buffer, valid until the writer is disposed
    /// (the upload holds the writer open until the store has the bytes).
    /// </summary>
    public ReadOnlyMemory<byte> FinishInPlace(BlobCompressor compressor)
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
        return _buffer.Written;
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
