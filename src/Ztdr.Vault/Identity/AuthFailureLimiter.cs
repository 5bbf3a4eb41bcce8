using System.Net;
using System.Net.Sockets;

namespace Ztdr.Vault.Identity;

/// <summary>
/// Slows down guessing: counts failed authentications per party and, past a free allowance, makes each further
/// failure wait longer (exponentially, up to a cap). Far over the allowance a party's failures are answered with S3's
/// 503 SlowDown at once, without a delay to hold a connection open for.
/// </summary>
/// <remarks>
/// A party is (source, access key id) when the failing request names a key the vault knows, and the source alone
/// otherwise, so that an attacker can neither mint fresh allowances by inventing key ids nor, by failing against one
/// key (whose id is no secret), lock out another key — or the same key's holder, whose requests verify. The limiter only
/// ever answers requests that already failed: a request whose signature verifies is never refused because of anyone's
/// failures (issue 12, item 1; the old per-source refusal let anyone who reached the port lock out every key).
/// Each party is a leaky bucket: every failure adds one, and the level drains at <c>freeFailures</c> per
/// <c>window</c>. A success does not empty the bucket, because an attacker holding one valid key would interleave
/// successes to keep guessing at full speed. Memory is bounded: at most <c>maxSources</c> parties are tracked and
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

    /// <summary>Past this many failures in the bucket a party's failures are answered with SlowDown at once.</summary>
    public int RefuseAbove => _freeFailures * 4;

    /// <summary>
    /// Records one failed authentication from <paramref name="source"/> and returns how long its error response
    /// must be held back: zero within the allowance, then 250 ms, 500 ms, 1 s ... up to the cap.
    /// </summary>
    /// <param name="source">The client's source (<see cref="SourceOf"/>).</param>
    /// <param name="accessKeyId">The key id the request named, only if the vault knows that key; null otherwise.</param>
    public TimeSpan RecordFailure(string source, string? accessKeyId = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var bucket = Touch(Party(source, accessKeyId), now);
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

    /// <summary>
    /// True while the party is so far over the allowance that its failed request should get 503 SlowDown. Ask only
    /// about a request that failed to authenticate: the answer must never refuse one that verified.
    /// </summary>
    public bool IsThrottled(string source, string? accessKeyId = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_lock)
        {
            if (!_sources.TryGetValue(Party(source, accessKeyId), out var node))
            {
                return false;
            }

            return Drained(node.Value, _time.GetTimestamp()) > RefuseAbove;
        }
    }

    /// <summary>Parties currently tracked (bounded by <c>maxSources</c>).</summary>
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

    /// <summary>A space never occurs in a source nor in a key id the vault issued, so parties cannot collide.</summary>
    private static string Party(string source, string? accessKeyId) => accessKeyId is null ? source : source + " " + accessKeyId;

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
