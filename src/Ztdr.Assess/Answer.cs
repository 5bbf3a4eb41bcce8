using Amazon.Runtime;
using Amazon.S3;

namespace Ztdr.Assess;

/// <summary>
/// What the server said to one request: accepted (2xx) or refused (an S3 error with its status and code), or no
/// answer at all (the connection failed). Probes turn answers into verdicts; this type only records them.
/// </summary>
internal readonly record struct Answer(bool Accepted, bool Answered, int Status, string? Code, string Detail)
{
    public bool Refused => Answered && !Accepted;

    /// <summary>
    /// "refused: HTTP 403 AccessDenied" or "accepted (HTTP 204)": the evidence a reviewer reads. An error inside a 2xx
    /// answer (multi-delete lists per key what it did not delete) is said as it was, never "refused": a reviewer who
    /// reads "refused: HTTP 200" cannot tell what the server did, and may check the wrong thing.
    /// </summary>
    public string Evidence => !Answered ? $"no answer: {Detail}"
        : Accepted ? $"accepted (HTTP {Status})"
        : Status is >= 200 and < 300 ? $"HTTP {Status} with error {Code}: {Detail}"
        : $"refused: HTTP {Status} {Code}";

    /// <summary>The detail of a multi-delete that answered 2xx but deleted no key.</summary>
    private const string EveryKey = "no key deleted";

    public static Answer Ok(int status) => new(true, true, status, null, string.Empty);

    public static Answer Error(int status, string? code, string message) => new(false, true, status, code ?? "(no code)", message);

    /// <summary>
    /// Runs <paramref name="call"/> and records how the server answered; never throws for an S3 or network error or a
    /// timeout. A cancellation the user asked for still propagates.
    /// </summary>
    public static async Task<Answer> OfAsync(Func<Task<AmazonWebServiceResponse>> call)
    {
        try
        {
            var response = await call();
            if (response is Amazon.S3.Model.DeleteObjectsResponse { DeletedObjects: null or { Count: 0 }, DeleteErrors: [var refused, ..] })
            {
                return Error((int)response.HttpStatusCode, refused.Code, EveryKey);
            }

            return Ok((int)response.HttpStatusCode);
        }
        catch (DeleteObjectsException e) when (e.Response is { } response)
        {
            // Multi-delete answers 200 and lists per key what was refused: a refusal of every key is a refusal.
            return response.DeletedObjects is { Count: > 0 }
                ? Ok((int)response.HttpStatusCode)
                : Error(200, response.DeleteErrors is [var first, ..] ? first.Code : null, EveryKey);
        }
        catch (AmazonS3Exception e) when (e.StatusCode != 0)
        {
            return Error((int)e.StatusCode, e.ErrorCode, e.Message);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException or TaskCanceledException { InnerException: TimeoutException })
        {
            return new Answer(false, false, 0, null, S3Target.Describe(e));
        }
    }
}
