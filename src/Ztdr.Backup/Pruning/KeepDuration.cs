using System.Globalization;

namespace Ztdr.Backup.Pruning;

/// <summary>
/// A calendar duration as restic writes it for <c>--keep-within</c>: years, months, days and hours, e.g.
/// <c>1y5m7d2h</c> (m is months; there are no minutes). Subtracted calendar-wise, so "1m" back from March 31 is
/// February's last day.
/// </summary>
public sealed record KeepDuration(int Years, int Months, int Days, int Hours)
{
    public bool IsZero => Years == 0 && Months == 0 && Days == 0 && Hours == 0;

    /// <summary>Parses one or more "number + unit" parts, units y, m, d, h; anything else is a <see cref="FormatException"/>.</summary>
    public static KeepDuration Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int years = 0, months = 0, days = 0, hours = 0;
        var rest = text.AsSpan();
        if (rest.IsEmpty)
        {
            throw new FormatException("an empty duration; write it like 1y5m7d2h");
        }

        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            if (digits == 0 || digits == rest.Length || !int.TryParse(rest[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                throw new FormatException($"duration '{text}' is not like 1y5m7d2h (numbers, each followed by y, m, d or h)");
            }

            switch (rest[digits])
            {
                case 'y': years = checked(years + amount); break;
                case 'm': months = checked(months + amount); break;
                case 'd': days = checked(days + amount); break;
                case 'h': hours = checked(hours + amount); break;
                default: throw new FormatException($"duration '{text}': unknown unit '{rest[digits]}' (use y, m, d or h)");
            }

            rest = rest[(digits + 1)..];
        }

        return new KeepDuration(years, months, days, hours);
    }

    /// <summary><paramref name="time"/> moved back by this duration (calendar years, months, days, then hours).</summary>
    public DateTimeOffset Before(DateTimeOffset time) =>
        time.AddYears(-Years).AddMonths(-Months).AddDays(-Days).AddHours(-Hours);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Years != 0)
        {
            parts.Add(Years.ToString(CultureInfo.InvariantCulture) + "y");
        }

        if (Months != 0)
        {
            parts.Add(Months.ToString(CultureInfo.InvariantCulture) + "m");
        }

        if (Days != 0)
        {
            parts.Add(Days.ToString(CultureInfo.InvariantCulture) + "d");
        }

        if (Hours != 0 || parts.Count == 0)
        {
            parts.Add(Hours.ToString(CultureInfo.InvariantCulture) + "h");
        }

        return string.Concat(parts);
    }
}
