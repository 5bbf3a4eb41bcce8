namespace Ztdr.Cli.Commands;

/// <summary>The plain-text table the listing commands print when output is not a terminal (logs, pipes, scripts).</summary>
internal static class PlainTable
{
    // Narrower than this, a column wraps into a word per line: past that point a wider table reads better.
    private const int MinWidth = 8;

    /// <summary>
    /// The header line then one line per row: columns padded to their widest cell, two spaces apart, the last column
    /// unpadded.
    /// </summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        return [Row(header, widths), .. rows.Select(row => Row(row, widths))];
    }

    /// <summary>
    /// Like <see cref="Lines(IReadOnlyList{string}, IReadOnlyList{IReadOnlyList{string}})"/>, but no line is longer
    /// than <paramref name="maxWidth"/>: the widest column is narrowed one character at a time until the table fits,
    /// and a cell too long for its column wraps at spaces onto the next lines, in its own column. Columns are narrowed
    /// to their longest word first, so names (PutBucketLifecycleConfiguration) are cut only when nothing else fits;
    /// wrapping, unlike abbreviating, keeps every word of the evidence.
    /// </summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, int maxWidth)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var words = header.Select((h, i) => rows.Select(r => r[i]).Append(h).SelectMany(c => c.Split(' ', '\n')).Max(w => w.Length)).ToArray();
        var gaps = 2 * (widths.Length - 1);
        foreach (var floor in new[] { words.Select(w => Math.Max(w, MinWidth)).ToArray(), [.. words.Select(_ => MinWidth)] })
        {
            while (widths.Sum() + gaps > maxWidth && Widest(widths, floor) is { } widest)
            {
                widths[widest]--;
            }
        }

        var lines = new List<string>();
        foreach (var row in rows.Prepend(header))
        {
            var cells = row.Select((cell, i) => Wrap(cell, widths[i])).ToList();
            for (var line = 0; line < cells.Max(c => c.Count); line++)
            {
                lines.Add(string.Join("  ", cells.Select((c, i) => line < c.Count ? c[line].PadRight(widths[i]) : new string(' ', widths[i]))).TrimEnd());
            }
        }

        return lines;
    }

    /// <summary>The widest column still wider than its floor, or null when every column is at its floor.</summary>
    private static int? Widest(int[] widths, int[] floor)
    {
        int? widest = null;
        for (var i = 0; i < widths.Length; i++)
        {
            if (widths[i] > floor[i] && (widest is not { } w || widths[i] > widths[w]))
            {
                widest = i;
            }
        }

        return widest;
    }

    /// <summary>Writes <see cref="Lines(IReadOnlyList{string}, IReadOnlyList{IReadOnlyList{string}})"/> to <paramref name="output"/>.</summary>
    public static async Task WriteAsync(TextWriter output, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        foreach (var line in Lines(header, rows))
        {
            await output.WriteLineAsync(line);
        }
    }

    /// <summary>Writes the table no wider than <paramref name="maxWidth"/> to <paramref name="output"/>.</summary>
    public static async Task WriteAsync(TextWriter output, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, int maxWidth)
    {
        foreach (var line in Lines(header, rows, maxWidth))
        {
            await output.WriteLineAsync(line);
        }
    }

    /// <summary><paramref name="text"/> as lines of at most <paramref name="width"/> characters, broken at spaces where it can be.</summary>
    internal static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var line = new System.Text.StringBuilder();
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var rest = word;
                if (line.Length > 0 && line.Length + 1 + rest.Length > width)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }

                while (rest.Length > width)
                {
                    lines.Add(rest[..width]);
                    rest = rest[width..];
                }

                line.Append(line.Length > 0 ? " " : "").Append(rest);
            }

            lines.Add(line.ToString());
        }

        return lines;
    }

    private static string Row(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i])));
}
