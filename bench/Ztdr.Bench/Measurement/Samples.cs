namespace Ztdr.Bench.Measurement;

/// <summary>Repeated measurements of one quantity, summarised by median and spread (min–max) or by percentiles.</summary>
internal sealed class Samples
{
    private readonly List<double> _values = [];

    public Samples(string unit)
    {
        Unit = unit;
    }

    public string Unit { get; }

    public int Count => _values.Count;

    public void Add(double value) => _values.Add(value);

    public void AddRange(IEnumerable<double> values) => _values.AddRange(values);

    /// <summary>The middle value, or the mean of the two middle values of an even count.</summary>
    public double Median
    {
        get
        {
            if (_values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = _values.Order().ToArray();
            var mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public double Min => _values.Count == 0 ? double.NaN : _values.Min();

    public double Max => _values.Count == 0 ? double.NaN : _values.Max();

    /// <summary>Nearest-rank percentile (no interpolation, so p99 is a latency some request really had).</summary>
    public double Percentile(double p)
    {
        if (_values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
