using Ztdr.Cli.Commands;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>Runs the built ztdr executable as its own process, with only the environment a test gives it.</summary>
internal static class CliProcess
{
    /// <summary>
    /// The Argon2id cost of the keys tests create: the floor <c>--kdf</c> allows, a fifth of the default's work on one
    /// lane. Every command opens the repository once, and the default's 64 MiB × 3 passes on 4 lanes cost about a third
    /// of a second of CPU each time: minutes over the suite. KdfOptionTests and a default-cost test cover the default.
    /// </summary>
    public const string TestKdf = "m=7MiB,t=5,p=1";

    /// <summary>
    /// The ztdr the tests run: the build's, or the one <c>ZTDR_TEST_EXECUTABLE</c> names, so the same tests can prove a
    /// published build (scripts/install.sh: native AOT) behaves as the build does.
    /// </summary>
    public static string Executable => Environment.GetEnvironmentVariable("ZTDR_TEST_EXECUTABLE") is { Length: > 0 } published
        ? published
        : Path.Combine(RepositoryPaths.Root, "artifacts", "bin", "Ztdr.Cli", RepositoryPaths.Configuration, "ztdr");

    /// <summary>
    /// Where ztdr keeps its state and looks for its zone file during the tests, unless a test chooses: the runner's
    /// own home must neither leak in (a developer's zones.json) nor collect files (verification records that a key
    /// could not write into its repository).
    /// </summary>
    private static readonly string IsolatedHome = Directory.CreateTempSubdirectory("ztdr-cli-home-").FullName;

    /// <summary>
    /// The ZTDR_* and AWS_* variables of the test runner are blanked so a developer's own settings cannot leak in;
    /// an empty value counts as unset for ztdr. XDG_STATE_HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME point into a folder of this run.
    /// </summary>
    public static Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunInAsync(null, environment, args);

    /// <summary>As <see cref="RunAsync"/>, in <paramref name="workingDirectory"/> (null: the runner's), for relative paths.</summary>
    public static Task<ProcessResult> RunInAsync(string? workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var isolated = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "ZTDR_REPOSITORY", "ZTDR_PASSWORD", "ZTDR_PASSWORD_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE", "AWS_CA_BUNDLE", "AWS_REGION", "AWS_DEFAULT_REGION", "ZTDR_KEY_HINT", "ZTDR_CACHE_DIR" })
        {
            isolated[name] = string.Empty;
        }

        isolated["XDG_STATE_HOME"] = Path.Combine(IsolatedHome, "state");
        isolated["XDG_CONFIG_HOME"] = Path.Combine(IsolatedHome, "config");
        isolated["XDG_CACHE_HOME"] = Path.Combine(IsolatedHome, "cache");
        isolated[KdfOption.Variable] = TestKdf;

        foreach (var (name, value) in environment)
        {
            isolated[name] = value;
        }

        return ProcessRunner.RunAsync(Executable, args, isolated, workingDirectory, timeout: TimeSpan.FromMinutes(2));
    }

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
