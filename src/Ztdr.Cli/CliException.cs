namespace Ztdr.Cli;

/// <summary>
/// The user asked for something ztdr cannot do as asked (no repository given, no password source, a malformed
/// location or duration). The message is one line that says what to change.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException(string message)
        : base(message)
    {
    }
}
