namespace Ztdr.Backup.Restoring;

/// <summary>How to restore. Without <see cref="Overwrite"/> an existing file or symlink at a restored path stops the restore.</summary>
internal sealed record RestoreOptions
{
    public bool Overwrite { get; init; }

    /// <summary>Which entries to restore; everything by default.</summary>
    public RestoreFilter Filter { get; init; } = RestoreFilter.All;

    /// <summary>Pack reads (windows) restored at once; null for twice the cores, at most <see cref="Restorer.MaxWorkers"/>.</summary>
    public int? Workers { get; init; }

    /// <summary>Told after each blob use written; called from several threads at once.</summary>
    public IProgress<RestoreProgress>? Progress { get; init; }
}
