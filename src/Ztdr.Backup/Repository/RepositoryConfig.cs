using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ztdr.Backup.Chunking;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Repository;

/// <summary>The repository parameters stored encrypted in <c>config</c> (repository-format.md § 9.1).</summary>
public sealed record RepositoryConfig(ObjectId Id, DateTimeOffset Created, int CompressionLevel, int PackTargetSize, LockPolicy Lock)
{
    public const int FormatVersion = 1;

    /// <summary>16 MiB (§ 7): packs are closed when they reach it.</summary>
    public const int DefaultPackTargetSize = 16 * 1024 * 1024;

    /// <summary>No pack may exceed this, whatever the target (§ 7).</summary>
    public const int MaxPackSize = 128 * 1024 * 1024;

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(
        new ConfigDocument
        {
            Version = FormatVersion,
            Id = Id.ToString(),
            Created = Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
            Chunker = new ChunkerDocument
            {
                Algorithm = "fastcdc-gear-v1",
                MinSize = ChunkerParameters.Default.MinSize,
                AvgSize = ChunkerParameters.Default.AverageSize,
                MaxSize = ChunkerParameters.Default.MaxSize,
                NormalizationLevel = 2,
            },
            ChunkId = new ChunkIdDocument { Algorithm = "hmac-sha256", KeyDerivation = "hkdf-sha256(M, ztdr/v1/chunk-id)" },
            Encryption = "aes-256-gcm",
            Compression = new CompressionDocument { Algorithm = "zstd", Level = CompressionLevel, MinSavingDivisor = BlobCompressor.MinSavingDivisor },
            PackTargetSize = PackTargetSize,
            Lock = new LockDocument { Mode = "COMPLIANCE", RetentionSeconds = Lock.RetentionSeconds, GenerationSeconds = Lock.GenerationSeconds },
        },
        RepositoryConfigJsonContext.Default.ConfigDocument);

    /// <summary>Parses a decrypted config body and checks it names <paramref name="headerId"/>, the id its header carries.</summary>
    public static RepositoryConfig Parse(ReadOnlySpan<byte> json, ObjectId headerId)
    {
        ConfigDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, RepositoryConfigJsonContext.Default.ConfigDocument);
        }
        catch (JsonException ex)
        {
            throw new RepositoryFormatException("The repository config is not valid JSON.", ex);
        }

        if (document is not { Lock: { } lockDocument } || document.Version != FormatVersion)
        {
            throw new RepositoryFormatException($"The repository config has version {document?.Version}; this ztdr reads version {FormatVersion}. Upgrade ztdr.");
        }

        if (!ObjectId.TryParse(document.Id, out var id) || id != headerId)
        {
            throw new RepositoryFormatException($"The repository config says its id is '{document.Id}' but its header says {headerId}: storage served another repository's config.");
        }

        if (lockDocument.Mode != "COMPLIANCE")
        {
            throw new RepositoryFormatException($"The repository config asks for lock mode '{lockDocument.Mode}'; format version 1 knows only COMPLIANCE.");
        }

        var policy = new LockPolicy(lockDocument.RetentionSeconds, lockDocument.GenerationSeconds);
        policy.Validate();
        if (document.PackTargetSize is < 1 or > MaxPackSize)
        {
            throw new RepositoryFormatException($"The repository config's pack target size {document.PackTargetSize} is outside 1..{MaxPackSize}.");
        }

        if (!DateTimeOffset.TryParse(document.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var created))
        {
            throw new RepositoryFormatException($"The repository config has an unreadable creation time '{document.Created}'.");
        }

        return new RepositoryConfig(id, created, document.Compression?.Level ?? BlobCompressor.DefaultLevel, document.PackTargetSize, policy);
    }
}

internal sealed class ConfigDocument
{
    public int Version { get; set; }

    public string? Id { get; set; }

    public string? Created { get; set; }

    public ChunkerDocument? Chunker { get; set; }

    public ChunkIdDocument? ChunkId { get; set; }

    public string? Encryption { get; set; }

    public CompressionDocument? Compression { get; set; }

    public int PackTargetSize { get; set; }

    public LockDocument? Lock { get; set; }
}

internal sealed class ChunkerDocument
{
    public string? Algorithm { get; set; }

    public int MinSize { get; set; }

    public int AvgSize { get; set; }

    public int MaxSize { get; set; }

    public int NormalizationLevel { get; set; }
}

internal sealed class ChunkIdDocument
{
    public string? Algorithm { get; set; }

    public string? KeyDerivation { get; set; }
}

internal sealed class CompressionDocument
{
    public string? Algorithm { get; set; }

    public int Level { get; set; }

    public int MinSavingDivisor { get; set; }
}

internal sealed class LockDocument
{
    public string? Mode { get; set; }

    public long RetentionSeconds { get; set; }

    public long GenerationSeconds { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ConfigDocument))]
internal sealed partial class RepositoryConfigJsonContext : JsonSerializerContext
{
}
