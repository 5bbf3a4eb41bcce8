using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Authenticity;

/// <summary>
/// One name as storage lists it, with the versions a reader tries, in order: the newest version with bytes first (on
/// an honest store the only one), then the oldest (ztdr writes each name once, so when someone wrote over it the
/// authentic version is the first one written), then the rest newest first, at most
/// <see cref="AuthenticReader.MaxVersionsTried"/> in all. <paramref name="HidingMarker"/> is the delete marker that is
/// the current version, if one is.
/// </summary>
internal sealed record StoredName(string Name, IReadOnlyList<ObjectVersion> Candidates, ObjectVersion? HidingMarker)
{
    /// <summary>The size of the version a plain read would get (the first candidate).</summary>
    public long Size => Candidates.Count > 0 ? Candidates[0].Size : 0;

    /// <summary>A name on a store without history: its only version is what a plain read gets.</summary>
    public static StoredName Unversioned(string name, long size) => new(name, [new ObjectVersion(name, null, size, null, IsDeleteMarker: false)], null);

    /// <summary>
    /// Orders one name's listed versions (newest first, as the port lists them) into candidates; null when the name has
    /// no version with bytes (only delete markers), so there is nothing to read.
    /// </summary>
    public static StoredName? FromVersions(string name, IReadOnlyList<ObjectVersion> newestFirst, int maxCandidates)
    {
        ObjectVersion? marker = newestFirst.Count > 0 && newestFirst[0].IsDeleteMarker ? newestFirst[0] : null;
        var withBytes = newestFirst.Where(v => !v.IsDeleteMarker).ToList();
        if (withBytes.Count == 0)
        {
            return null;
        }

        var candidates = new List<ObjectVersion> { withBytes[0] };
        if (withBytes.Count > 1)
        {
            candidates.Add(withBytes[^1]);
        }

        candidates.AddRange(withBytes.Skip(1).Take(withBytes.Count - 2).Take(Math.Max(0, maxCandidates - candidates.Count)));
        return new StoredName(name, candidates, marker);
    }
}
