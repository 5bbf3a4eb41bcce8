namespace Ztdr.Backup.Authenticity;

/// <summary>
/// A version storage serves under one of the repository's names that is not the repository's: it does not
/// authenticate under the master key, names another id, is larger than such an object can be, or is a delete marker
/// hiding an authentic version. ztdr writes every name once and never writes a delete marker, so each one is
/// evidence that a credential able to write the bucket (the backup key) is in someone else's hands.
/// </summary>
/// <param name="Name">The object's name in the repository (e.g. <c>snapshots/&lt;id&gt;</c>).</param>
/// <param name="VersionId">The store's version id; null on a store without history.</param>
/// <param name="Written">When storage says the version was written, if it says.</param>
/// <param name="Reason">Why it is not accepted, one line.</param>
public sealed record Impostor(string Name, string? VersionId, DateTimeOffset? Written, string Reason)
{
    /// <summary>Which version, when, and why, without the name: a finding's detail.</summary>
    public string Detail =>
        string.Join(' ', new[] { VersionId is null ? null : $"version {VersionId}", Written is { } written ? $"written {written.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : null }.OfType<string>())
        is { Length: > 0 } where ? $"{where}: {Reason}" : Reason;

    /// <summary>One line for a warning: name, version, time and why.</summary>
    public override string ToString() => VersionId is null && Written is null ? $"{Name}: {Reason}" : $"{Name} {Detail}";
}
