namespace Ztdr.Cli;

/// <summary>
/// What a command may touch outside its arguments: environment variables, the output streams, the terminal and the
/// clock. The process's own are bound in one place (<see cref="ForProcess"/>); tests pass their own.
/// </summary>
internal sealed record CliContext(Func<string, string?> Environment, TextWriter Out, TextWriter Error, Passwords.IPasswordPrompt? Prompt, TimeProvider Time)
{
    public static CliContext ForProcess() => new(
        System.Environment.GetEnvironmentVariable,
        Console.Out,
        Console.Error,
        Console.IsInputRedirected ? null : new Passwords.TerminalPasswordPrompt(),
        TimeProvider.System)
    {
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };

    /// <summary>When the command began (a <see cref="TimeProvider.GetTimestamp"/> of <see cref="Time"/>): its summaries report the time since.</summary>
    public long Started { get; init; } = Time.GetTimestamp();

    /// <summary>Seconds since <see cref="Started"/>, to the millisecond: every long command's <c>durationSeconds</c>.</summary>
    public double DurationSeconds => Math.Round(Time.GetElapsedTime(Started).TotalSeconds, 3);

    /// <summary>Whether <see cref="Error"/> is a terminal, where progress may rewrite one line; otherwise it gets plain lines.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>The variable's value, or null when it is unset or empty (an empty value means "not set", as in the AWS tools).</summary>
    public string? Variable(string name) => Environment(name) is { Length: > 0 } value ? value : null;
}
