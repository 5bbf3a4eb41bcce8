namespace Ztdr.Cli.Commands;

/// <summary>The plain-text table the listing commands print when output is not a terminal (logs, pipes, scripts).</summary>
internal static class PlainTable
{
    /// <summary>
    /// The header line then one line per row: columns padded to their widest cell, two spaces apart, the last column
    /// unpadded.
    /// </summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        return [Row(header, widths), .. rows.Select(row => Row(row, widths))];
    }

    /// <summary>Writes <see cref="Lines"/> to <paramref name="output"/>.</summary>
    public static async Task WriteAsync(TextWriter output, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        foreach (var line in Lines(header, rows))
        {
            await output.WriteLineAsync(line);
        }
    }

    private static string Row(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i])));
}
