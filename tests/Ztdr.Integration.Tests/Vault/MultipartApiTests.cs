using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;

namespace Ztdr.Integration.Tests.Vault;

public sealed class MultipartApiTests : IClassFixture<VaultFixture>
{
    private const string Bucket = "backups";
    private const int PartSize = 5 * 1024 * 1024;
    private readonly AmazonS3Client _s3;

    public MultipartApiTests(VaultFixture fixture)
    {
        _s3 = fixture.Client;
    }

    [Fact]
    public async Task CompleteMultipartUpload_ThreeParts_AssemblesBytesWithMultipartETagAndPartReads()
    {
        var data = RandomNumberGenerator.GetBytes((2 * PartSize) + 12345);
        var init = await _s3.InitiateMultipartUploadAsync(Bucket, "mpu/three.bin");
        var etags = new List<PartETag>();
        var md5s = new List<byte[]>();
        for (var i = 0; i < 3; i++)
        {
            var slice = data[(i * PartSize)..Math.Min(data.Length, (i + 1) * PartSize)];
            md5s.Add(MD5.HashData(slice));
            var part = await _s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = "mpu/three.bin", UploadId = init.UploadId, PartNumber = i + 1, InputStream = new MemoryStream(slice) });
            etags.Add(new PartETag(i + 1, part.ETag));
        }

        var parts = await _s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "mpu/three.bin", UploadId = init.UploadId });
        Assert.Equal([1, 2, 3], parts.Parts.Select(p => p.PartNumber ?? 0));
        var uploads = await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = "mpu/three" });
        Assert.Contains(uploads.MultipartUploads, u => u.UploadId == init.UploadId);

        var complete = await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = "mpu/three.bin", UploadId = init.UploadId, PartETags = etags });
        var expectedETag = $"\"{Convert.ToHexStringLower(MD5.HashData(md5s.SelectMany(m => m).ToArray()))}-3\"";
        Assert.Equal(expectedETag, complete.ETag);

        using (var get = await _s3.GetObjectAsync(Bucket, "mpu/three.bin"))
        {
            Assert.Equal(data, await S3Assert.ReadAllAsync(get.ResponseStream));
            Assert.Equal(expectedETag, get.ETag);
        }

        using (var part2 = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "mpu/three.bin", PartNumber = 2 }))
        {
            Assert.Equal(HttpStatusCode.PartialContent, part2.HttpStatusCode);
            Assert.Equal(3, part2.PartsCount);
            Assert.Equal(data[PartSize..(2 * PartSize)], await S3Assert.ReadAllAsync(part2.ResponseStream));
        }

        var after = await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = "mpu/three" });
        Assert.DoesNotContain(after.MultipartUploads ?? [], u => u.UploadId == init.UploadId);
    }

    [Fact]
    public async Task CompleteMultipartUpload_SmallNonLastPart_IsEntityTooSmall()
    {
        var init = await _s3.InitiateMultipartUploadAsync(Bucket, "mpu/small.bin");
        var p1 = await _s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = "mpu/small.bin", UploadId = init.UploadId, PartNumber = 1, InputStream = new MemoryStream(new byte[1024]) });
        var p2 = await _s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = "mpu/small.bin", UploadId = init.UploadId, PartNumber = 2, InputStream = new MemoryStream(new byte[1024]) });
        await S3Assert.FailsWith("EntityTooSmall", HttpStatusCode.BadRequest, () => _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "mpu/small.bin",
            UploadId = init.UploadId,
            PartETags = [new PartETag(1, p1.ETag), new PartETag(2, p2.ETag)],
        }));
        await S3Assert.FailsWith("InvalidPart", HttpStatusCode.BadRequest, () => _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = "mpu/small.bin",
            UploadId = init.UploadId,
            PartETags = [new PartETag(1, "\"00000000000000000000000000000000\"")],
        }));

        // Nothing became visible, and the upload is still there to retry or abort.
        await S3Assert.FailsWith("NoSuchKey", HttpStatusCode.NotFound, () => _s3.GetObjectAsync(Bucket, "mpu/small.bin"));
        await _s3.AbortMultipartUploadAsync(Bucket, "mpu/small.bin", init.UploadId);
        await S3Assert.FailsWith("NoSuchUpload", HttpStatusCode.NotFound, () =>
            _s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = "mpu/small.bin", UploadId = init.UploadId, PartNumber = 1, InputStream = new MemoryStream(new byte[10]) }));
    }

    [Fact]
    public async Task TransferUtility_LargeFile_UploadsMultipartAndDownloadsIdentical()
    {
        var data = RandomNumberGenerator.GetBytes(24 * 1024 * 1024);
        using var transfer = new TransferUtility(_s3);
        await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = Bucket, Key = "mpu/transfer.bin", InputStream = new MemoryStream(data), PartSize = 8 * 1024 * 1024 });
        var head = await _s3.GetObjectMetadataAsync(Bucket, "mpu/transfer.bin");
        Assert.EndsWith("-3\"", head.ETag);
        using var get = await _s3.GetObjectAsync(Bucket, "mpu/transfer.bin");
        Assert.Equal(data, await S3Assert.ReadAllAsync(get.ResponseStream));
    }

    [Fact]
    public async Task UploadPartCopy_CopiesRangeOfExistingObject()
    {
        var source = RandomNumberGenerator.GetBytes(PartSize + 1000);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "mpu/copy-source.bin", InputStream = new MemoryStream(source) });
        var init = await _s3.InitiateMultipartUploadAsync(Bucket, "mpu/copied.bin");
        var p1 = await _s3.CopyPartAsync(new CopyPartRequest { SourceBucket = Bucket, SourceKey = "mpu/copy-source.bin", DestinationBucket = Bucket, DestinationKey = "mpu/copied.bin", UploadId = init.UploadId, PartNumber = 1, FirstByte = 0, LastByte = PartSize - 1 });
        var p2 = await _s3.CopyPartAsync(new CopyPartRequest { SourceBucket = Bucket, SourceKey = "mpu/copy-source.bin", DestinationBucket = Bucket, DestinationKey = "mpu/copied.bin", UploadId = init.UploadId, PartNumber = 2, FirstByte = PartSize, LastByte = PartSize + 999 });
        await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = "mpu/copied.bin", UploadId = init.UploadId, PartETags = [new PartETag(1, p1.ETag), new PartETag(2, p2.ETag)] });
        using var get = await _s3.GetObjectAsync(Bucket, "mpu/copied.bin");
        Assert.Equal(source, await S3Assert.ReadAllAsync(get.ResponseStream));
    }
}
