using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using Ztdr.Backup.Chunking;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Tests.Chunking;

namespace Ztdr.Backup.Tests.Compression;

/// <summary>
/// Measurements behind the zstd level (docs/repository-format.md § 13), printed, never asserted. Runs with ZTDR_MEASURE=1,
/// best in Release (`dotnet test -c Release`).
/// </summary>
public sealed class CompressionMeasurementTests(ITestOutputHelper output)
{
    [Fact]
    public void Compress_MixedCorpusAcrossLevels_PrintsRatioAndSpeed()
    {
        if (!ChunkerMeasurementTests.Enabled)
        {
            output.WriteLine("Set ZTDR_MEASURE=1 to run the compression measurement.");
            return;
        }

        var corpus = MixedCorpus.Generate(2026, 256L * 1024 * 1024);
        var chunker = new FastCdcChunker(ChunkerParameters.Default);
        var chunks = new List<byte[]>();
        foreach (var file in corpus.Files)
        {
            var offset = 0;
            foreach (var size in FastCdcChunkerTests.Cut(chunker, file))
            {
                chunks.Add(file.AsSpan(offset, size).ToArray());
                offset += size;
            }
        }

        var raw = chunks.Sum(c => (long)c.Length);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{chunks.Count} chunks, {raw / 1048576.0:F0} MiB raw"));
        output.WriteLine("level | stored MiB (% of raw) | stored compressed | compress MiB/s | decompress MiB/s (one core)");
        foreach (var level in new[] { 1, 3, 6, 9, 12 })
        {
            using var compressor = new BlobCompressor(level);
            var units = new List<byte[]>();
            var watch = Stopwatch.StartNew();
            foreach (var chunk in chunks)
            {
                var unit = new byte[BlobCompressor.MaxCompressedLength(chunk.Length)];
                var n = compressor.Compress(chunk, unit);
                units.Add(unit[..n]);
            }

            var compressTime = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var buffer = new byte[chunks.Max(c => c.Length)];
            for (var i = 0; i < units.Count; i++)
            {
                compressor.Decompress(units[i], chunks[i].Length, buffer);
            }

            var decompressTime = watch.Elapsed.TotalSeconds;
            var stored = units.Sum(u => (long)u.Length);
            var compressedCount = units.Count(u => u[0] == BlobCompressor.ZstdFlag);
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{level} | {stored / 1048576.0:F1} ({100.0 * stored / raw:F1}%) | {compressedCount}/{units.Count} | {raw / 1048576.0 / compressTime:F0} | {raw / 1048576.0 / decompressTime:F0}"));
        }
    }

    [Fact]
    public void Primitives_OneMiBBlobs_PrintThroughput()
    {
        var data = DeterministicBytes.Generate(9, 1024 * 1024);
        using var master = MasterKey.Generate();
        using var keys = master.DeriveKeys();
        using var cipher = keys.CreateObjectCipher(ObjectType.Pack, ObjectId.NewRandom());
        var sealedUnit = new byte[BlobCipher.SealedLength(data.Length)];
        const int Rounds = 64;

        keys.ChunkIdKey.ComputeId(data);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Rounds; i++)
        {
            keys.ChunkIdKey.ComputeId(data);
        }

        var mac = Rounds / watch.Elapsed.TotalSeconds;
        var id = keys.ChunkIdKey.ComputeId(data);
        cipher.SealBlob(BlobType.Data, id, data, sealedUnit);
        watch.Restart();
        for (var i = 0; i < Rounds; i++)
        {
            cipher.SealBlob(BlobType.Data, id, data, sealedUnit);
        }

        var seal = Rounds / watch.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HMAC-SHA256 chunk id: {mac:F0} MiB/s; AES-256-GCM seal: {seal:F0} MiB/s (one core)"));
    }
}
