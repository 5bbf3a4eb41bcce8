using System.Security.Cryptography;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// Restores a snapshot's tree into a target folder, in parallel with bounded memory. First the whole plan is walked
/// and the target checked (<see cref="RestorePlan"/>), and every content blob located (<see cref="PackRestorer"/>), so a
/// conflict or a missing blob stops the restore before anything is written. Then folders are created in tree order,
/// symlinks made, file content written pack by pack by a bounded set of workers, hard links linked to their set's first
/// file, and last each folder's owner, mode and time set, children first (creating a child changes its folder's time;
/// a read-only folder could not be filled).
/// Every blob is authenticated and its id re-checked as it is opened. A file is written under a temporary name in its
/// folder and renamed only when complete and synced (<see cref="DurableRenames"/>, one syncfs per group): a crash, a
/// cancel or a damaged blob never leaves a partial file under a real name, and the temporary file is removed. All
/// writes go through <see cref="PosixWriter"/> by byte path, so names that are not UTF-8 restore exactly. Owners are
/// restored only when running as root.
/// </summary>
internal sealed class Restorer(Repository.Repository repository)
{
    /// <summary>Cap on pack reads restored at once: past it more workers add memory (a read window each), not speed.</summary>
    public const int MaxWorkers = 16;

    private const string TempSuffix = ".ztdr-restore";

    /// <summary>rwx for the owner: a folder's mode while the restore fills it.</summary>
    private const uint OwnerOnly = 0x1c0;

    /// <summary>Restores every top-level node of <paramref name="snapshot"/> into <paramref name="target"/> (created if missing).</summary>
    public Task<RestoreSummary> RestoreAsync(Snapshot snapshot, string target, RestoreOptions options, CancellationToken cancellationToken) =>
        RestoreTreeAsync(snapshot.Tree, target, options, cancellationToken);

    /// <summary>Restores the nodes of tree <paramref name="tree"/> into <paramref name="target"/> (created if missing).</summary>
    public async Task<RestoreSummary> RestoreTreeAsync(BlobId tree, string target, RestoreOptions options, CancellationToken cancellationToken)
    {
        if (!PosixWriter.IsSupported)
        {
            throw new PlatformNotSupportedException("ztdr restore writes with 64-bit Linux system calls; this platform is not supported yet.");
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        var rootKind = PosixWriter.KindOf(PosixWriter.PathOf(root));
        if (rootKind == PosixWriter.PathKind.Symlink && Directory.Exists(root))
        {
            // The target itself is the user's choice and may be a link to a folder; only entries inside it never are.
            rootKind = PosixWriter.PathKind.Directory;
        }

        if (rootKind is not (PosixWriter.PathKind.None or PosixWriter.PathKind.Directory))
        {
            throw new IOException($"'{root}' exists and is not a folder; restore into a folder.");
        }

        var plan = await RestorePlan.BuildAsync(
            repository, tree, root == "/" ? "" : root, rootKind == PosixWriter.PathKind.Directory, options.Filter, options.Overwrite, cancellationToken);
        Directory.CreateDirectory(root);
        var run = new Run(options, plan);

        // Before anything inside the target is made: a blob in no index or a file whose blobs miss its size stops the restore here.
        var content = new PackRestorer(repository, plan.Files, TempPath);

        foreach (var folder in plan.Folders)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!PosixWriter.CreateDirectory(folder.Path))
            {
                // An existing folder (a read-only one from an earlier restore, say) must take the new entries; it
                // gets the snapshot's mode at the end like every restored folder.
                PosixWriter.SetMode(folder.Path, OwnerOnly);
            }
        }

        foreach (var symlink in plan.Symlinks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RestoreSymlink(symlink, run);
        }

        var workers = Math.Clamp(options.Workers ?? 2 * Environment.ProcessorCount, 1, MaxWorkers);
        using (var renames = new DurableRenames(PosixWriter.PathOf(root), options.Overwrite, run.FilesDone))
        {
            try
            {
                await content.RestoreAsync(workers, renames, run.SetOwners, run.Wrote, cancellationToken);
                renames.Flush();
            }
            catch
            {
                renames.Abandon();
                throw;
            }
        }

        foreach (var (entry, existing) in plan.HardLinks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Place(entry, run, temp => PosixWriter.CreateHardLink(existing, temp), path => PosixWriter.CreateHardLink(existing, path));
            run.HardLinks++;
        }

        // Children before parents: the reverse of tree order.
        for (var i = plan.Folders.Count - 1; i >= 0; i--)
        {
            var folder = plan.Folders[i];
            if (run.SetOwners)
            {
                PosixWriter.SetOwner(folder.Path, folder.Node.Uid ?? uint.MaxValue, folder.Node.Gid ?? uint.MaxValue);
            }

            PosixWriter.SetMode(folder.Path, folder.Node.Mode);
            PosixWriter.SetModificationTime(folder.Path, folder.Node.MtimeNs);
        }

        return new RestoreSummary(run.Files, plan.Folders.Count, plan.Symlinks.Count, run.HardLinks, run.Bytes);
    }

    private static void RestoreSymlink(PlannedEntry entry, Run run)
    {
        var target = System.Text.Encoding.UTF8.GetBytes(entry.Node.LinkTarget! + "\0");
        Place(entry, run, temp => PosixWriter.CreateSymlink(target, temp), path => PosixWriter.CreateSymlink(target, path));
        if (run.SetOwners)
        {
            PosixWriter.SetOwner(entry.Path, entry.Node.Uid ?? uint.MaxValue, entry.Node.Gid ?? uint.MaxValue);
        }

        PosixWriter.SetModificationTime(entry.Path, entry.Node.MtimeNs);
    }

    /// <summary>
    /// Makes a symlink or hard link at the entry's path. Without --overwrite it is created under its real name, where
    /// symlink(2) and link(2) fail on anything already there; with it, under a temporary name renamed over the old one,
    /// so the old entry is replaced in one step, never removed first.
    /// </summary>
    private static void Place(PlannedEntry entry, Run run, Action<byte[]> createAt, Action<byte[]> createDirectly)
    {
        if (!run.Options.Overwrite)
        {
            createDirectly(entry.Path);
            return;
        }

        // Created before the try: if the temporary name was taken, the cleanup must not remove what is there.
        var temp = TempPath(entry.Folder);
        createAt(temp);
        var renamed = false;
        try
        {
            PosixWriter.Rename(temp, entry.Path, replace: true);
            renamed = true;
        }
        finally
        {
            if (!renamed)
            {
                PosixWriter.RemoveIfPresent(temp);
            }
        }
    }

    // Short and fixed-length, so a temporary name fits where a long real name just fits (NAME_MAX is 255 bytes).
    private static byte[] TempPath(byte[] folder) =>
        PosixWriter.Join(folder, System.Text.Encoding.ASCII.GetBytes("." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + TempSuffix));

    private sealed class Run(RestoreOptions options, RestorePlan plan)
    {
        private long _files;
        private long _bytes;

        public RestoreOptions Options { get; } = options;

        public bool SetOwners { get; } = PosixWriter.CanSetOwner;

        public long Files => Interlocked.Read(ref _files);

        public long Bytes => Interlocked.Read(ref _bytes);

        public long HardLinks { get; set; }

        public void Wrote(long bytes) => Report(Interlocked.Read(ref _files), Interlocked.Add(ref _bytes, bytes));

        public void FilesDone(int count) => Report(Interlocked.Add(ref _files, count), Interlocked.Read(ref _bytes));

        private void Report(long files, long bytes) => Options.Progress?.Report(new RestoreProgress(files, plan.Files.Count, bytes, plan.Bytes));
    }
}
