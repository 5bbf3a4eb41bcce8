using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>
/// A real client program found on PATH. A missing tool fails the test (never skips it): a compat claim that was not
/// checked must not look like one that passed. CI runs scripts/deps.sh first.
/// </summary>
internal sealed class InstalledTool
{
    private readonly VaultProcess _vault;

    private InstalledTool(string path, VaultProcess vault)
    {
        Path = path;
        _vault = vault;
    }

    public string Path { get; }

    public static InstalledTool Require(string program, VaultProcess vault)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in directories)
        {
            var candidate = System.IO.Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return new InstalledTool(candidate, vault);
            }
        }

        Assert.Fail($"{program} is not installed (not on PATH); run scripts/deps.sh to install the compat test tools.");
        throw new InvalidOperationException("unreachable");
    }

    public Task<ProcessResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null) =>
        ProcessRunner.RunAsync(Path, arguments, environment, workingDirectory, TimeSpan.FromMinutes(3));

    /// <summary>Runs the tool and fails the test, with its output and the vault's log, unless it exits 0.</summary>
    public async Task<ProcessResult> SucceedAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var argumentList = arguments.ToList();
        var result = await RunAsync(argumentList, environment, workingDirectory);
        if (result.ExitCode != 0)
        {
            Assert.Fail(Describe(argumentList, result));
        }

        return result;
    }

    public string Describe(IEnumerable<string> arguments, ProcessResult result) =>
        $"{System.IO.Path.GetFileName(Path)} {string.Join(' ', arguments)}\n{result}\nvault log (tail):\n{Tail(_vault.Log, 40)}";

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
