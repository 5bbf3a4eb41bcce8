namespace Ztdr.Cli;

/// <summary>
/// The command ran and cannot do what was asked (prune with a key storage will not let delete): exit 1, with a message
/// that says what to change. Thrown rather than printed so it reaches the user the one way every failure does.
/// </summary>
internal sealed class CommandFailedException : Exception
{
    public CommandFailedException(string message)
        : base(message)
    {
    }
}
