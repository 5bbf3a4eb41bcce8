namespace Ztdr.Cli.Commands;

/// <summary>A folder under the system's temporary folder that lives as long as one command.</summary>
internal sealed class TemporaryFolder(string prefix) : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory(prefix);

    public string Path => _folder.FullName;

    public void Dispose()
    {
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Left in the system's temporary folder, which the system cleans; it holds only sealed bytes.
        }
    }
}
