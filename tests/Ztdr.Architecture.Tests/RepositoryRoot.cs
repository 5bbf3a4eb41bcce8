namespace Ztdr.Architecture.Tests;

internal static class RepositoryRoot
{
    /// <summary>The folder holding Ztdr.slnx, found by walking up from the test assembly.</summary>
    public static string Path { get; } = Find(AppContext.BaseDirectory);

    public static string Find(string start)
    {
        var directory = new DirectoryInfo(start);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Ztdr.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Ztdr.slnx) above " + start);
    }
}
