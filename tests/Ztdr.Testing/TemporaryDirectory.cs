namespace Ztdr.Testing;

/// <summary>A folder a test owns and removes; tests run in parallel, so each gets its own.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory(string? prefix = null)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ztdr-tests", (prefix ?? "t") + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            MakeWritable(Path);
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // .NET cannot name a file whose name is not UTF-8 (the raw-name tests make them), so its delete stops
            // there; rm works by bytes. A folder left anyway must not fail a test that passed.
            RemoveWithRm(Path);
        }
    }

    private static void RemoveWithRm(string path)
    {
        try
        {
            using var rm = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("rm", ["-rf", "--", path]) { UseShellExecute = false });
            rm?.WaitForExit(TimeSpan.FromMinutes(1));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No rm: the folder stays.
        }
    }

    private static void MakeWritable(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
