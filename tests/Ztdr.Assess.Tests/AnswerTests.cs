using System.Net;
using Amazon.Runtime;
using Amazon.S3.Model;

namespace Ztdr.Assess.Tests;

/// <summary>How one server answer is worded as evidence: "refused" only for what the server refused with its status.</summary>
public sealed class AnswerTests
{
    [Fact]
    public async Task OfAsync_MultiDeleteHttp200EveryKeyDenied_RefusalWithoutTheWordRefused()
    {
        var response = new DeleteObjectsResponse { HttpStatusCode = HttpStatusCode.OK, DeleteErrors = [new DeleteError { Code = "AccessDenied", Key = "k" }] };

        var answer = await Answer.OfAsync(() => Task.FromResult<AmazonWebServiceResponse>(response));

        // Nothing was deleted, so the probe counts it as refused; the words say what the server actually answered.
        Assert.True(answer.Refused);
        Assert.Equal("HTTP 200 with error AccessDenied: no key deleted", answer.Evidence);
        Assert.DoesNotContain("refused", answer.Evidence, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Evidence_ErrorStatus_Refused()
    {
        Assert.Equal("refused: HTTP 403 AccessDenied", Answer.Error(403, "AccessDenied", "Access Denied").Evidence);
        Assert.Equal("accepted (HTTP 204)", Answer.Ok(204).Evidence);
    }
}
