using System.Globalization;

namespace Ztdr.Vault.Audit;

/// <summary>
/// Audits refusals of requests that proved no key (unauthenticated, and those the limiter throttled) as summaries
/// instead of one durable record each (docs/audit-format.md, "Summaries"): per source, outcome and minute of trusted
/// time, the first refusal is recorded in full — the sample — and the rest only counted, then written as one
/// <see cref="Operation"/> record when the minute is over. An unsigned flood from one address therefore costs at most
/// two records per outcome and minute, not one per request (issue 12, item 2: 713 requests/s filled 23 GB a day).
/// </summary>
/// <remarks>
/// Memory and records are bounded: at most <see cref="MaxGroupsPerWindow"/> (source, outcome) groups per minute; past
/// that, refusals from new sources are only counted, under source <see cref="OverflowSource"/>, with no sample. Thread-safe.
/// Time is passed in (trusted time), so tests drive it without a clock.
/// </remarks>
internal sealed class RefusalSummaries
{
    /// <summary>Operation of a summary record.</summary>
    public const string Operation = "audit:summary";

    /// <summary>Principal of samples and summaries: the requests proved no key.</summary>
    public const string Principal = "unauthenticated";

    /// <summary>Source of the group that counts refusals from sources beyond <see cref="MaxGroupsPerWindow"/>.</summary>
    public const string OverflowSource = "*";

    /// <summary>Groups (source, outcome) per minute with a sample of their own; bounds memory and records per minute.</summary>
    public const int MaxGroupsPerWindow = 256;

    private readonly Dictionary<(long Window, string Principal, string Source, string Outcome), Group> _groups = [];
    private readonly Dictionary<long, int> _groupsPerWindow = [];
    private readonly Lock _lock = new();

    /// <summary>
    /// Counts one refusal. True when it is the first of its (source, outcome) in this minute: the caller records it
    /// in full as the sample. False when it is only counted (in the summary written after the minute).
    /// </summary>
    /// <remarks>
    /// <paramref name="principal"/>: <see cref="Principal"/> for requests that proved no key; an access key id for a
    /// key's throttled writes (per-key write rate), so a stolen key's flood is summarised under its own name.
    /// </remarks>
    public bool Count(DateTimeOffset trustedNow, string source, string outcome, string? requestId, string principal = Principal)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(outcome);
        var window = WindowOf(trustedNow);
        lock (_lock)
        {
            if (_groups.TryGetValue((window, principal, source, outcome), out var group))
            {
                group.More++;
                return false;
            }

            var inWindow = _groupsPerWindow.GetValueOrDefault(window);
            if (inWindow >= MaxGroupsPerWindow)
            {
                var overflow = GetOrAdd(window, principal, OverflowSource, outcome, sampleRequestId: null);
                overflow.More++;
                return false;
            }

            _groupsPerWindow[window] = inWindow + 1;
            _groups[(window, principal, source, outcome)] = new Group(requestId);
            return true;
        }
    }

    /// <summary>
    /// Takes the summaries of every minute that ended by <paramref name="trustedNow"/> (of every minute at all when
    /// <paramref name="all"/>, at shutdown), stamped <paramref name="trustedNow"/>. A group whose only refusal was its
    /// sample needs no summary.
    /// </summary>
    public IReadOnlyList<AuditEvent> Take(DateTimeOffset trustedNow, bool all = false)
    {
        var current = WindowOf(trustedNow);
        var events = new List<AuditEvent>();
        lock (_lock)
        {
            foreach (var ((window, principal, source, outcome), group) in _groups.OrderBy(g => g.Key.Window).ThenBy(g => g.Key.Principal, StringComparer.Ordinal).ThenBy(g => g.Key.Source, StringComparer.Ordinal).ThenBy(g => g.Key.Outcome, StringComparer.Ordinal).ToList())
            {
                if (!all && window >= current)
                {
                    continue;
                }

                _groups.Remove((window, principal, source, outcome));
                _groupsPerWindow.Remove(window);
                if (group.More > 0)
                {
                    events.Add(Summary(trustedNow, window, source, outcome, group.More, group.SampleRequestId, principal));
                }
            }
        }

        return events;
    }

    /// <summary>Groups held in memory (for tests and health).</summary>
    public int PendingGroups
    {
        get
        {
            lock (_lock)
            {
                return _groups.Count;
            }
        }
    }

    /// <summary>
    /// The summary record (format frozen by AuditFormatGoldenTests): the count of refusals *not* recorded individually
    /// in <c>key</c>, so that individual records plus the counts of summaries add up to every refusal.
    /// </summary>
    public static AuditEvent Summary(DateTimeOffset trustedNow, long window, string source, string outcome, long more, string? sampleRequestId, string principal = Principal) =>
        new(
            trustedNow,
            principal,
            Operation,
            null,
            string.Create(CultureInfo.InvariantCulture, $"more={more} window={new DateTimeOffset(window * TimeSpan.TicksPerMinute, TimeSpan.Zero):yyyy-MM-ddTHH:mm:ss'Z'}"),
            null,
            outcome,
            source,
            sampleRequestId);

    /// <summary>The minute of trusted time an instant falls in, as minutes since 0001-01-01 UTC.</summary>
    public static long WindowOf(DateTimeOffset trustedNow) => trustedNow.UtcTicks / TimeSpan.TicksPerMinute;

    private Group GetOrAdd(long window, string principal, string source, string outcome, string? sampleRequestId)
    {
        if (!_groups.TryGetValue((window, principal, source, outcome), out var group))
        {
            group = new Group(sampleRequestId);
            _groups[(window, principal, source, outcome)] = group;
        }

        return group;
    }

    private sealed class Group(string? sampleRequestId)
    {
        public string? SampleRequestId { get; } = sampleRequestId;

        /// <summary>Refusals counted but not recorded individually.</summary>
        public long More { get; set; }
    }
}
