using Ztdr.S3.Checksums;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Tests.Checksums;

public sealed class MultipartChecksumTests
{
    [Fact]
    public void Composite_ThreeCrc32Parts_IsCrcOfConcatenatedDigestsWithCount()
    {
        // Parts are CRC32("part-one"), CRC32("part-two"), CRC32("part-three"); expected value computed with zlib.
        var composite = MultipartChecksum.Composite(ChecksumAlgorithm.Crc32, ["eX7LbQ==", "EtjH+g==", "k1wj3A=="]);

        Assert.Equal("EFX63g==-3", composite);
    }

    [Fact]
    public void Composite_PartValueOfWrongLength_IsInvalidPart()
    {
        var ex = Assert.Throws<S3Exception>(() => MultipartChecksum.Composite(ChecksumAlgorithm.Crc32, ["eX7LbQ==", "rosUhgp5mIg="]));

        Assert.Same(S3Errors.InvalidPart, ex.Error);
    }
}
