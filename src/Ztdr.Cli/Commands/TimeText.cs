using System.Globalization;

namespace Ztdr.Cli.Commands;

/// <summary>
/// Times for people, one rule for every table and line: UTC with a trailing <c>Z</c> (2026-01-01 12:00:00Z). A snapshot
/// time beside a lock end, or a host's clock beside the storage's, is only comparable when both are in one zone; local
/// time without an offset (as restic prints) cannot be read against a UTC log or another host's output.
/// </summary>
internal static class TimeText
{
    public static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
