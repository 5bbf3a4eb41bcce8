namespace Ztdr.Testing;

/// <summary>Where the built executables are, found from the test assembly's own artifacts folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>"debug" or "release", as the test assembly itself was built.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "release" : "debug";

    public static string VaultExecutable => Path.Combine(Root, "artifacts", "bin", "Ztdr.Vault.Host", Configuration, "ztdr-vault");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Ztdr.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Ztdr.slnx) above " + AppContext.BaseDirectory);
    }
}
