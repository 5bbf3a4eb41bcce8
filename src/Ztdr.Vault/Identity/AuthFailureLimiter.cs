using System.Net;
using System.Net.Sockets;

namespace Ztdr.Vault.Identity;

/// <summary>
/// Slows down guessing: counts failed authentications per source and, past a free allowance, makes each further
/// failure wait longer (exponentially, up to a cap). Far over the allowance a source is refused outright until it
/// calms down (S3's 503 SlowDown), so a flood costs the vault nothing but a table lookup.
/// </summary>
/// <remarks>
/// Each source is a leaky bucket: every failure adds one, and the level drains at <c>freeFailures</c> per
/// <c>window</c>. A success does not empty the bucket, because an attacker holding one valid key would interleave
/// successes to keep guessing at full speed. Memory is bounded: at most <c>maxSources</c> sources are tracked and
/// the least recently seen is forgotten first (forgetting only ever errs towards the free allowance). Time comes
/// from the monotonic timestamp of the injected <see cref="TimeProvider"/>, so a wall-clock jump cannot reset it.
/// Thread-safe.
/// </remarks>
public sealed class AuthFailureLimiter
{
    public const int DefaultMaxSources = 10_000;

    /// <summary>The delay of the first failure past the allowance; each further one doubles it.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _time;
    private readonly int _freeFailures;
    private readonly double _drainPerSecond;
    private readonly TimeSpan _maxDelay;
    private readonly int _maxSources;
    private readonly Dictionary<string, LinkedListNode<Bucket>> _sources = new(StringComparer.Ordinal);

    // Most recently seen first; the tail is evicted when the table is full.
    private readonly LinkedList<Bucket> _recency = new();
    private readonly Lock _lock = new();

    public AuthFailureLimiter(TimeProvider time, int freeFailures = 5, TimeSpan? window = null, TimeSpan? maxDelay = null, int maxSources = DefaultMaxSources)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(freeFailures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSources);
        var w = window ?? TimeSpan.FromMinutes(1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(w, TimeSpan.Zero, nameof(window));
        _time = time;
        _freeFailures = freeFailures;
        _drainPerSecond = freeFailures / w.TotalSeconds;
        _maxDelay = maxDelay ?? TimeSpan.FromSeconds(5);
        _maxSources = maxSources;
    }

    /// <summary>Past this many failures in the bucket a source is refused before its request is even verified.</summary>
    public int RefuseAbove => _freeFailures * 4;

    /// <summary>
    /// Records one failed authentication from <paramref name="source"/> and returns how long its error response
    /// must be held back: zero within the allowance, then 250 ms, 500 ms, 1 s ... up to the cap.
    /// </summary>
    public TimeSpan RecordFailure(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var bucket = Touch(source, now);
            bucket.Level += 1;
            var excess = bucket.Level - _freeFailures;
            if (excess <= 0)
            {
                return TimeSpan.Zero;
            }

            // Exponent capped well before double overflow; the delay cap applies long before that anyway.
            var delay = FirstDelay * Math.Pow(2, Math.Min(Math.Ceiling(excess) - 1, 30));
            return delay < _maxDelay ? delay : _maxDelay;
        }
    }

    /// <summary>True while <paramref name="source"/> is so far over the allowance that it should get 503 SlowDown.</summary>
    public bool IsThrottled(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_lock)
        {
            if (!_sources.TryGetValue(source, out var node))
            {
                return false;
            }

            return Drained(node.Value, _time.GetTimestamp()) > RefuseAbove;
        }
    }

    /// <summary>Sources currently tracked (bounded by <c>maxSources</c>).</summary>
    public int TrackedSources
    {
        get
        {
            lock (_lock)
            {
                return _sources.Count;
            }
        }
    }

    /// <summary>
    /// The source key for a peer address: IPv4 (also when IPv4-mapped) as is, IPv6 by its /64, since one host
    /// usually owns a whole /64 and could otherwise rotate addresses to get a fresh allowance for each guess.
    /// A Unix-socket peer (no address) is "local".
    /// </summary>
    public static string SourceOf(IPAddress? address)
    {
        if (address is null)
        {
            return "local";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes).ToString() + "/64";
    }

    private Bucket Touch(string source, long now)
    {
        if (_sources.TryGetValue(source, out var node))
        {
            node.Value.Level = Drained(node.Value, now);
            node.Value.Updated = now;
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }

        if (_sources.Count >= _maxSources)
        {
            var oldest = _recency.Last!;
            _recency.RemoveLast();
            _sources.Remove(oldest.Value.Source);
        }

        var bucket = new Bucket(source) { Updated = now };
        _sources[source] = _recency.AddFirst(bucket);
        return bucket;
    }

    private double Drained(Bucket bucket, long now)
    {
        var elapsed = _time.GetElapsedTime(bucket.Updated, now).TotalSeconds;
        return Math.Max(0, bucket.Level - (elapsed * _drainPerSecond));
    }

    private sealed class Bucket(string source)
    {
        public string Source { get; } = source;

        /// <summary>Failures not yet drained; fractional while draining.</summary>
        public double Level { get; set; }

        /// <summary>Monotonic timestamp of the last update of <see cref="Level"/>.</summary>
        public long Updated { get; set; }
    }
}
