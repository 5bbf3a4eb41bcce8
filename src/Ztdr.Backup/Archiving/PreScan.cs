using Ztdr.Backup.FileSystem;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// Counts the regular files and bytes under the backup's paths, concurrently with the backup (as restic does), so a
/// progress display can show an ETA once it finishes. Metadata only: it never opens a file. Entries it cannot read are
/// left out of the totals; the backup itself reports them.
/// </summary>
internal static class PreScan
{
    public static void Count(IEnumerable<byte[]> roots, BackupRun run, CancellationToken cancellationToken)
    {
        long files = 0;
        long bytes = 0;
        var pending = new Stack<byte[]>(roots);
        while (pending.TryPop(out var path))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var metadata = PosixReader.Stat(path);
                if (metadata.Kind == FileKind.File)
                {
                    files++;
                    bytes += metadata.Size;
                }
                else if (metadata.Kind == FileKind.Directory)
                {
                    foreach (var name in PosixReader.ReadDirectory(path))
                    {
                        pending.Push(PosixReader.Join(path, name));
                    }
                }
            }
            catch (IOException)
            {
                // Counted by the backup as an error; a total a little low only makes the ETA a little early.
                continue;
            }
        }

        run.SetTotals(files, bytes);
    }
}
