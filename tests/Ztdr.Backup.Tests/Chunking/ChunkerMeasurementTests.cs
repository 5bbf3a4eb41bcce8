using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Xunit.Abstractions;
using Ztdr.Backup.Chunking;

namespace Ztdr.Backup.Tests.Chunking;

/// <summary>
/// Measurements, not assertions: they print what docs/repository-format.md § 13 records. The corpus measurement runs
/// only with ZTDR_MEASURE=1 (it takes tens of seconds); the throughput line prints on every run.
/// </summary>
public sealed class ChunkerMeasurementTests(ITestOutputHelper output)
{
    internal static bool Enabled => Environment.GetEnvironmentVariable("ZTDR_MEASURE") == "1";

    [Fact]
    public void FindCutPoint_DefaultParameters_PrintsThroughput()
    {
        var data = DeterministicBytes.Generate(1, 64 * 1024 * 1024);
        var chunker = new FastCdcChunker(ChunkerParameters.Default);
        FastCdcChunkerTests.Cut(chunker, data.AsSpan(0, 8 * 1024 * 1024)); // warm up the JIT

        var watch = Stopwatch.StartNew();
        var chunks = FastCdcChunkerTests.Cut(chunker, data);
        watch.Stop();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FastCDC {ChunkerParameters.Default}: {data.Length / 1048576.0 / watch.Elapsed.TotalSeconds:F0} MiB/s single core, {chunks.Count} chunks in 64 MiB"));
    }

    [Fact]
    public void Chunking_MixedCorpusAcrossParameters_PrintsDedupAndChunkCounts()
    {
        if (!Enabled)
        {
            output.WriteLine("Set ZTDR_MEASURE=1 to run the corpus measurement.");
            return;
        }

        var corpus = MixedCorpus.Generate(2026, 512L * 1024 * 1024);
        var second = corpus.NextVersion();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"corpus: {corpus.Files.Count} files, {corpus.TotalBytes / 1048576.0:F0} MiB; second version {second.Count} files"));
        output.WriteLine("min/avg/max KiB | first: chunks, stored MiB (dedup) | second: new chunks, new MiB | mean chunk KiB of large files");
        ChunkerParameters[] candidates =
        [
            new(64 * 1024, 128 * 1024, 1024 * 1024),
            new(128 * 1024, 256 * 1024, 2 * 1024 * 1024),
            new(256 * 1024, 512 * 1024, 4 * 1024 * 1024),
            new(512 * 1024, 1024 * 1024, 8 * 1024 * 1024),
            new(1024 * 1024, 2048 * 1024, 16 * 1024 * 1024),
        ];
        foreach (var parameters in candidates)
        {
            var chunker = new FastCdcChunker(parameters);
            var seen = new HashSet<string>();
            var (chunks, stored, bigChunks, bigBytes) = Backup(chunker, corpus.Files, seen);
            var (newChunks, newBytes, _, _) = Backup(chunker, second, seen);
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{parameters.MinSize / 1024}/{parameters.AverageSize / 1024}/{parameters.MaxSize / 1024} | {chunks}, {stored / 1048576.0:F1} | {newChunks}, {newBytes / 1048576.0:F2} | {bigBytes / 1024.0 / Math.Max(1, bigChunks):F0}"));
        }
    }

    // Counts unique chunks and their bytes, as a backup into a repository already holding `seen` would store them.
    private static (int Chunks, long Bytes, int BigChunks, long BigBytes) Backup(FastCdcChunker chunker, List<byte[]> files, HashSet<string> seen)
    {
        int chunks = 0, bigChunks = 0;
        long bytes = 0, bigBytes = 0;
        foreach (var file in files)
        {
            var offset = 0;
            foreach (var size in FastCdcChunkerTests.Cut(chunker, file))
            {
                if (file.Length >= chunker.Parameters.MaxSize)
                {
                    bigChunks++;
                    bigBytes += size;
                }

                if (seen.Add(Convert.ToHexString(SHA256.HashData(file.AsSpan(offset, size)))))
                {
                    chunks++;
                    bytes += size;
                }

                offset += size;
            }
        }

        return (chunks, bytes, bigChunks, bigBytes);
    }
}
