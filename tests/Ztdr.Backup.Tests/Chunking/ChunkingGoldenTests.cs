using System.Buffers.Binary;
using System.Security.Cryptography;
using Ztdr.Backup.Chunking;

namespace Ztdr.Backup.Tests.Chunking;

/// <summary>
/// Freezes the gear table and the chunk boundaries of repository format 1 (docs/repository-format.md § 10). If one of
/// these fails, chunks no longer match those in existing repositories and deduplication against them is lost: that is a
/// new format version, never an edited expectation. The values were cross-checked with an independent implementation
/// of the spec.
/// </summary>
public sealed class ChunkingGoldenTests
{
    [Fact]
    public void GearTable_FormatVersion1_IsFrozen()
    {
        var table = GearTable.Values;
        var bytes = new byte[256 * 8];
        for (var i = 0; i < 256; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), table[i]);
        }

        Assert.Equal("e04402e64295a404", table[0].ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("6d5f52e90b62250c", table[255].ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("c8903578056980d1574b050b3f2116c7d060e9536254cd8af0e2e70492b38663", Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public void FindCutPoint_DefaultParametersOnSeededInput_BoundariesAreFrozen()
    {
        var data = DeterministicBytes.Generate(0x5A544452, 24 * 1024 * 1024);
        var sizes = FastCdcChunkerTests.Cut(new FastCdcChunker(ChunkerParameters.Default), data);

        int[] expected = [1778592, 2319366, 1487707, 1418837, 1198821, 1164455, 1505594, 1066493, 1090580, 602261, 1066722, 1121721, 1074821, 1131917, 1126615, 1534437, 1071635, 1452766, 1522972, 429512];
        Assert.Equal(expected, sizes);
    }

    [Fact]
    public void FindCutPoint_SmallParametersOnSeededInput_BoundariesAreFrozen()
    {
        // Small sizes exercise both masks and the max cut many times in little data.
        var data = DeterministicBytes.Generate(42, 256 * 1024);
        var sizes = FastCdcChunkerTests.Cut(new FastCdcChunker(new ChunkerParameters(1024, 4096, 16384)), data);

        int[] expected = [6640, 6202, 4878, 4291, 4532, 4124, 6057, 4704, 4540, 3241, 1493, 4909, 5923, 3444, 1464, 4306, 5151, 3947, 4436, 5353, 3536, 7086, 1783, 1918, 4238, 4772, 4387, 4274, 4881, 4307, 4411, 4116, 6600, 4356, 4147, 4511, 4755, 1069, 4126, 4469, 4349, 5500, 6831, 2166, 2720, 5424, 4340, 4570, 4518, 6496, 4156, 1059, 4934, 8512, 5473, 4234, 5555, 2890, 5040];
        Assert.Equal(expected, sizes);
    }

    [Fact]
    public void DefaultParameters_FormatVersion1_AreFrozen()
    {
        Assert.Equal(new ChunkerParameters(512 * 1024, 1024 * 1024, 8 * 1024 * 1024), ChunkerParameters.Default);
    }
}
