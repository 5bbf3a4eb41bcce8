namespace Ztdr.Vault.Identity;

/// <summary>
/// The optional per-key write rate (<c>serve --key-write-rate</c>): each access key may add at most
/// <see cref="BytesPerSecond"/> of new object bytes on average, with a burst of <see cref="BurstSeconds"/> seconds'
/// worth. A quota bounds how much locked data one stolen key can leave; this bounds how fast, so the alerts of a
/// flood arrive before the quota is gone. Each key has its own allowance: one key's flood never slows another.
/// </summary>
/// <remarks>
/// A token bucket per key on the monotonic clock (never the wall clock, which an attacker may move). A request is
/// admitted while the key's allowance is positive and is charged its declared length in full, so one large PUT may
/// take the allowance below zero; the key then waits until it has refilled. Reads, listings and retention changes are
/// never charged. Thread-safe.
/// </remarks>
internal sealed class KeyWriteRate
{
    public const int BurstSeconds = 10;

    /// <summary>Keys kept in memory; past this the idlest half is forgotten (a forgotten key starts full again).</summary>
    private const int MaxKeys = 10_000;

    private readonly TimeProvider _time;
    private readonly Dictionary<string, Allowance> _keys = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public KeyWriteRate(long bytesPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerSecond, 1);
        BytesPerSecond = bytesPerSecond;
        _time = time;
    }

    public long BytesPerSecond { get; }

    private double Burst => (double)BytesPerSecond * BurstSeconds;

    /// <summary>
    /// Charges <paramref name="bytes"/> to <paramref name="accessKeyId"/> when its allowance is positive; otherwise
    /// refuses and says how long until it is (the Retry-After of the SlowDown answer).
    /// </summary>
    public bool TryAdmit(string accessKeyId, long bytes, out TimeSpan retryAfter)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (!_keys.TryGetValue(accessKeyId, out var allowance))
            {
                if (_keys.Count >= MaxKeys)
                {
                    foreach (var idle in _keys.OrderBy(k => k.Value.Updated).Take(MaxKeys / 2).Select(k => k.Key).ToList())
                    {
                        _keys.Remove(idle);
                    }
                }

                allowance = new Allowance { Tokens = Burst, Updated = now };
                _keys[accessKeyId] = allowance;
            }

            var elapsed = _time.GetElapsedTime(allowance.Updated, now).TotalSeconds;
            allowance.Tokens = Math.Min(Burst, allowance.Tokens + (elapsed * BytesPerSecond));
            allowance.Updated = now;
            if (allowance.Tokens <= 0)
            {
                retryAfter = TimeSpan.FromSeconds(Math.Ceiling(-allowance.Tokens / BytesPerSecond) + 1);
                return false;
            }

            allowance.Tokens -= Math.Max(0, bytes);
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }

    private sealed class Allowance
    {
        public double Tokens { get; set; }

        public long Updated { get; set; }
    }
}
