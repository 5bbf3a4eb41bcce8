using System.Globalization;
using Ztdr.Cli.Commands;

namespace Ztdr.Cli.Progress;

/// <summary>
/// The words and numbers of a progress report, shared by backup's live panel, the plain <c>progress:</c> lines of
/// every command and the closing line: one rate, one percent, one ETA, so backup, restore and verify read alike.
/// </summary>
internal static class ProgressText
{
    public static string Line(BackupStatus value, TimeSpan elapsed) =>
        $"{Files(value)}, {Bytes(value)}, {Rate(value, elapsed)}{EtaSuffix(Eta(value, elapsed))}";

    public static string Files(BackupStatus value)
    {
        var total = value.TotalFiles is { } files ? $" of {files}" : "";
        return $"{value.Files}{total} files ({value.FilesUnchanged} unchanged), {value.Dirs} dirs";
    }

    public static string Bytes(BackupStatus value)
    {
        var total = value.TotalBytes is { } bytes ? $" of {ByteSize.Format(bytes)} ({Percent(value.BytesDone, bytes)})" : "";
        return $"{ByteSize.Format(value.BytesDone)}{total} done, {ByteSize.Format(value.BytesRead)} read, {ByteSize.Format(value.AddedBytes)} added";
    }

    public static string Rate(BackupStatus value, TimeSpan elapsed) => Rate(value.BytesDone, elapsed);

    /// <summary>Time left at the average rate so far; null until the pre-scan knows the total or before any byte is done.</summary>
    public static TimeSpan? Eta(BackupStatus value, TimeSpan elapsed) => value.TotalBytes is { } total ? Eta(value.BytesDone, total, elapsed) : null;

    /// <summary>Average bytes per second over <paramref name="elapsed"/>: "1.5 MiB/s", or "-" before any time has passed.</summary>
    public static string Rate(long bytes, TimeSpan elapsed) =>
        elapsed > TimeSpan.Zero ? $"{ByteSize.Format((long)(bytes / elapsed.TotalSeconds))}/s" : "-";

    /// <summary>Whole percent done, rounded down so 100% means finished; "-" when there is no total to measure against.</summary>
    public static string Percent(long done, long total) =>
        total > 0 ? (Math.Clamp(done, 0, total) * 100 / total).ToString(CultureInfo.InvariantCulture) + "%" : "-";

    /// <summary>
    /// Time left at the average rate so far (<paramref name="done"/> of <paramref name="total"/> in
    /// <paramref name="elapsed"/>); null before anything is done, when nothing is to be done, or before any time has passed.
    /// </summary>
    public static TimeSpan? Eta(long done, long total, TimeSpan elapsed)
    {
        if (total <= 0 || done <= 0 || elapsed <= TimeSpan.Zero)
        {
            return null;
        }

        var left = Math.Max(0, total - done);
        return TimeSpan.FromSeconds(Math.Round(left * elapsed.TotalSeconds / done));
    }

    /// <summary>"mm:ss", or "h:mm:ss" from an hour on.</summary>
    public static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}:{duration:mm\\:ss}" : $"{duration:mm\\:ss}";

    /// <summary>", ETA mm:ss" when an ETA is known, else nothing.</summary>
    public static string EtaSuffix(TimeSpan? eta) => eta is { } left ? $", ETA {Duration(left)}" : "";
}
