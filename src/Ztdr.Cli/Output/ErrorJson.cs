using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>
/// A failure under <c>--json</c>: one line on stderr instead of <c>ztdr: message</c>, with the same exit code, so
/// stdout holds only results and a script can still read why it failed.
/// </summary>
internal sealed record ErrorJson(ErrorDetailJson Error)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}

internal sealed record ErrorDetailJson(string Message, int ExitCode);
