namespace Ztdr.Vault.Api;

internal static class Responses
{
    public static async Task XmlAsync(S3Call call, byte[] body, int status = 200)
    {
        // A mutation's audit record is durable before any byte of its response leaves.
        if (call.BeforeResponse is { } beforeResponse)
        {
            call.BeforeResponse = null;
            await beforeResponse();
        }

        var response = call.Http.Response;
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, call.Aborted);
    }
}
