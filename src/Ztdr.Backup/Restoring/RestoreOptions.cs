namespace Ztdr.Backup.Restoring;

/// <summary>How to restore. Without <see cref="Overwrite"/> an existing file or symlink at a restored path stops the restore.</summary>
internal sealed record RestoreOptions
{
    public bool Overwrite { get; init; }
}
