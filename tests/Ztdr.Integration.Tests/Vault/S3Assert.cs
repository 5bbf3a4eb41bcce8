using System.Net;
using Amazon.S3;

namespace Ztdr.Integration.Tests.Vault;

internal static class S3Assert
{
    /// <summary>Asserts the call fails with exactly this S3 error code and HTTP status.</summary>
    public static async Task<AmazonS3Exception> FailsWith(string code, HttpStatusCode status, Func<Task> call)
    {
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(call);
        Assert.Equal(status, e.StatusCode);
        if (code.Length > 0)
        {
            Assert.Equal(code, e.ErrorCode);
        }

        return e;
    }

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
