using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>The trusted time store fake: holds one record; <see cref="Damage"/> makes the next loads fail as a damaged file would.</summary>
internal sealed class InMemoryTrustedTimeStore : ITrustedTimeStore
{
    private TrustedTimeRecord? _record;
    private bool _damaged;

    public int Saves { get; private set; }

    public TrustedTimeRecord? Load() => _damaged ? throw new InvalidDataException("The trusted time record is damaged.") : _record;

    public void Save(TrustedTimeRecord record)
    {
        _record = record;
        _damaged = false;
        Saves++;
    }

    public void Damage() => _damaged = true;

    public void Lose() => _record = null;
}
