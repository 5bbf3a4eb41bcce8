using System.Text;
using Ztdr.S3.Checksums;

namespace Ztdr.S3.Tests.Checksums;

public sealed class ObjectChecksumTests
{
    private static readonly byte[] CheckInput = Encoding.ASCII.GetBytes("123456789");

    // The CRC catalogue "check" values (CRC32 0xCBF43926, CRC32C 0xE3069283, CRC64/NVME 0xAE8B14860A799888)
    // and the SHA digests of "123456789", as base64 of the big-endian bytes the way AWS sends them.
    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "y/Q5Jg==")]
    [InlineData(ChecksumAlgorithm.Crc32c, "4waSgw==")]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "rosUhgp5mIg=")]
    [InlineData(ChecksumAlgorithm.Sha1, "98O8HYCOBHMq32eZZczDTKeuNEE=")]
    [InlineData(ChecksumAlgorithm.Sha256, "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=")]
    public void ComputeBase64_CheckString_MatchesPublishedValue(ChecksumAlgorithm algorithm, string expected)
    {
        Assert.Equal(expected, ObjectChecksum.ComputeBase64(algorithm, CheckInput));
    }

    [Fact]
    public void Crc32c_CheckString_IsE3069283()
    {
        Assert.Equal(0xE3069283u, Crc32c.Hash(CheckInput));
        Assert.Equal(0xE3069283u, Crc32c.Finish(Crc32c.UpdateWithTables(Crc32c.InitialState, CheckInput)));
    }

    [Fact]
    public void Crc64Nvme_CheckString_IsAE8B14860A799888()
    {
        Assert.Equal(0xAE8B14860A799888ul, Crc64Nvme.Hash(CheckInput));
    }

    [Fact]
    public void Crc32c_HardwareAndTablePaths_AgreeOnEveryLengthAndAlignment()
    {
        var data = new byte[300];
        new Random(7).NextBytes(data);
        for (var start = 0; start < 9; start++)
        {
            for (var length = 0; length <= data.Length - start; length += 13)
            {
                var slice = data.AsSpan(start, length);
                Assert.Equal(
                    Crc32c.UpdateWithTables(Crc32c.InitialState, slice),
                    Crc32c.Update(Crc32c.InitialState, slice));
            }
        }
    }

    [Fact]
    public void Crc64Nvme_SlicedAndBytewise_Agree()
    {
        // Feeding one byte at a time never takes the slicing-by-8 path, so it is an independent reference.
        var data = new byte[1000];
        new Random(11).NextBytes(data);
        var bytewise = Crc64Nvme.InitialState;
        foreach (var b in data)
        {
            bytewise = Crc64Nvme.Update(bytewise, [b]);
        }

        Assert.Equal(bytewise, Crc64Nvme.Update(Crc64Nvme.InitialState, data));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32)]
    [InlineData(ChecksumAlgorithm.Crc32c)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme)]
    [InlineData(ChecksumAlgorithm.Sha1)]
    [InlineData(ChecksumAlgorithm.Sha256)]
    public void Append_InPieces_EqualsOneShot(ChecksumAlgorithm algorithm)
    {
        var data = new byte[100_003];
        new Random(3).NextBytes(data);
        using var checksum = ObjectChecksum.Create(algorithm);
        var offset = 0;
        var step = 1;
        while (offset < data.Length)
        {
            var n = Math.Min(step, data.Length - offset);
            checksum.Append(data.AsSpan(offset, n));
            offset += n;
            step = (step * 7 % 5003) + 1;
        }

        Assert.Equal(ObjectChecksum.ComputeBase64(algorithm, data), checksum.GetCurrentBase64());
        Assert.Equal(algorithm.DigestLength(), checksum.GetBytes().Length);
    }

    [Fact]
    public void GetCurrentBase64_EmptyInput_IsZeroCrc()
    {
        Assert.Equal("AAAAAA==", ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, []));
        Assert.Equal("AAAAAAAAAAA=", ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc64Nvme, []));
    }

    [Fact]
    public void Matches_SameValueOrWrongValue_ComparesDigestBytes()
    {
        using var checksum = ObjectChecksum.Create(ChecksumAlgorithm.Crc32);
        checksum.Append(CheckInput);
        Assert.True(checksum.Matches("y/Q5Jg=="));
        Assert.False(checksum.Matches("y/Q5Jw=="));
        Assert.False(checksum.Matches("not base64"));
        Assert.False(checksum.Matches("rosUhgp5mIg="));
        Assert.False(checksum.Matches(null));
    }

    [Fact]
    public void Names_EveryAlgorithm_RoundTripsThroughHeaderAndWireNames()
    {
        foreach (var algorithm in ChecksumAlgorithmNames.Supported)
        {
            Assert.True(ChecksumAlgorithmNames.TryParseHeaderName(algorithm.HeaderName().ToUpperInvariant(), out var byHeader));
            Assert.Equal(algorithm, byHeader);
            Assert.True(ChecksumAlgorithmNames.TryParseWireName(algorithm.WireName().ToLowerInvariant(), out var byWire));
            Assert.Equal(algorithm, byWire);
        }

        Assert.Equal("x-amz-checksum-crc64nvme", ChecksumAlgorithm.Crc64Nvme.HeaderName());
        Assert.Equal("CRC64NVME", ChecksumAlgorithm.Crc64Nvme.WireName());
        Assert.Equal("ChecksumCRC32C", ChecksumAlgorithm.Crc32c.XmlElementName());
        Assert.False(ChecksumAlgorithmNames.TryParseWireName("SHA512", out _));
    }

    [Fact]
    public void ChecksumAlgorithm_NumericValues_AreFrozen()
    {
        // Persisted with object metadata: a change here is a storage-format change.
        Assert.Equal(0, (int)ChecksumAlgorithm.Crc32);
        Assert.Equal(1, (int)ChecksumAlgorithm.Crc32c);
        Assert.Equal(2, (int)ChecksumAlgorithm.Crc64Nvme);
        Assert.Equal(3, (int)ChecksumAlgorithm.Sha1);
        Assert.Equal(4, (int)ChecksumAlgorithm.Sha256);
    }
}
