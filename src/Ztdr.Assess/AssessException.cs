namespace Ztdr.Assess;

/// <summary>
/// The assessment could not start or had to stop: unreachable endpoint, unknown profile, wrong credentials, missing
/// bucket. The message is one line that says what to change; it is not a probe verdict.
/// </summary>
public sealed class AssessException : Exception
{
    public AssessException(string message)
        : base(message)
    {
    }

    public AssessException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
