namespace Ztdr.Backup.Authenticity;

/// <summary>
/// The impostors one command met, each once, in the order found. Thread-safe. A hostile bucket can hold any number, so
/// the log keeps the first <see cref="MaxKept"/> and counts the rest: memory stays bounded whatever storage lists.
/// </summary>
public sealed class ImpostorLog
{
    public const int MaxKept = 1000;

    private readonly Lock _lock = new();
    private readonly HashSet<(string Name, string? VersionId)> _seen = [];
    private readonly List<Impostor> _kept = [];
    private int _count;

    /// <summary>Every impostor found, or the first <see cref="MaxKept"/> of them.</summary>
    public IReadOnlyList<Impostor> Found
    {
        get
        {
            lock (_lock)
            {
                return [.. _kept];
            }
        }
    }

    /// <summary>How many distinct impostors were found, kept or not.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void Add(Impostor impostor)
    {
        lock (_lock)
        {
            if (_seen.Count >= MaxKept)
            {
                // Past the cap a repeat cannot be told from a new one without unbounded memory; count it as new.
                _count++;
                return;
            }

            if (_seen.Add((impostor.Name, impostor.VersionId)))
            {
                _kept.Add(impostor);
                _count++;
            }
        }
    }
}
