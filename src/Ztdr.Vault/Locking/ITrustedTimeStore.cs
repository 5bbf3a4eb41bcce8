namespace Ztdr.Vault.Locking;

/// <summary>
/// Where the secure clock keeps its trusted time across restarts. Guarantees every implementation gives (one conformance
/// suite checks them, fakes included):
/// <list type="bullet">
/// <item><see cref="Load"/> returns exactly the last record saved, to the tick, or null when none was ever saved.</item>
/// <item><see cref="Save"/> is atomic and durable before it returns: after a crash, <see cref="Load"/> sees the old
/// record or the new one, never a mix.</item>
/// <item>A record that exists but cannot be read back throws <see cref="InvalidDataException"/> (never returns a guess),
/// so the clock can tell "new" from "tampered or damaged" and fail closed.</item>
/// </list>
/// </summary>
public interface ITrustedTimeStore
{
    /// <exception cref="InvalidDataException">A record exists but is damaged.</exception>
    TrustedTimeRecord? Load();

    void Save(TrustedTimeRecord record);
}

/// <summary>
/// The trusted time at the moment of saving, and the wall clock's reading at the same moment (kept for diagnosis: how long
/// the vault was down by the wall clock, and whether that clock jumped meanwhile; it never feeds trusted time).
/// </summary>
public sealed record TrustedTimeRecord(DateTimeOffset TrustedTime, DateTimeOffset WallTimeAtSave);
