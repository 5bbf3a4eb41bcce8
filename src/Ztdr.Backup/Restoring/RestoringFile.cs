using Microsoft.Win32.SafeHandles;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// A file being restored by <see cref="PackRestorer"/>: written under its temporary name, blob by blob in whatever
/// order the packs bring them, until its last blob use is written. The handle fields belong to <see cref="OpenFiles"/>.
/// </summary>
internal sealed class RestoringFile(PlannedEntry entry, long size, int blobUses)
{
    public PlannedEntry Entry { get; } = entry;

    /// <summary>
    /// The NUL-terminated temporary path the file is written under until its group is renamed; chosen when the file is
    /// created, so a plan of many files does not hold a second path for each.
    /// </summary>
    public byte[] Temp { get; set; } = [];

    /// <summary>The file's length: the raw lengths of its content blobs, checked against the snapshot's size.</summary>
    public long Size { get; } = size;

    /// <summary>Content blob uses not written yet (a blob twice in the file counts twice). Under <see cref="OpenFiles"/>' lock.</summary>
    public int BlobsLeft { get; set; } = blobUses;

    /// <summary>Held while the file is created or reopened, so one file is never opened twice at once.</summary>
    public Lock Opening { get; } = new();

    /// <summary>Whether the temporary file exists (this restore created it, so a failure must remove it).</summary>
    public bool Created { get; set; }

    /// <summary>Whether the file went to <see cref="DurableRenames"/>, which from then owns the temporary name.</summary>
    public bool Handed { get; set; }

    /// <summary>The open handle, or null when not open (not yet created, evicted, or finished).</summary>
    public SafeFileHandle? Handle { get; set; }

    /// <summary>Writers holding <see cref="Handle"/>; an idle handle (none) may be closed to make room.</summary>
    public int Users { get; set; }

    /// <summary>Its place in the idle list while open and unused.</summary>
    public LinkedListNode<RestoringFile>? Idle { get; set; }
}
