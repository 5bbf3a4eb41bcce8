using Microsoft.Win32.SafeHandles;

namespace Ztdr.Vault.Audit;

/// <summary>
/// Splits the log file into lines (LF-terminated byte strings) forwards for verify and backwards for tail and for
/// finding the chain's end at start. Never loads the whole file: an audit log grows for the life of the vault.
/// </summary>
internal static class AuditLogLines
{
    /// <summary>
    /// No record comes near this (<see cref="AuditLog"/> refuses events that could); a longer "line" is damage, and
    /// the cap keeps a hostile file from making verify hold gigabytes.
    /// </summary>
    public const int MaxLineBytes = 1024 * 1024;

    private const int ChunkSize = 64 * 1024;

    /// <summary>A line without its LF; <paramref name="Terminated"/> is false for a final fragment with no LF.</summary>
    public readonly record struct Line(byte[] Bytes, bool Terminated, bool TooLong);

    /// <summary>The length of the file up to and including its last LF: everything past it is a torn fragment.</summary>
    public static long CompleteLength(SafeFileHandle handle, long length)
    {
        var chunk = new byte[ChunkSize];
        var end = length;
        while (end > 0)
        {
            var start = Math.Max(0, end - ChunkSize);
            var span = chunk.AsSpan(0, (int)(end - start));
            ReadExactly(handle, span, start);
            var lf = span.LastIndexOf((byte)'\n');
            if (lf >= 0)
            {
                return start + lf + 1;
            }

            end = start;
        }

        return 0;
    }

    /// <summary>The complete lines of <c>[0, end)</c> from last to first; <paramref name="end"/> is 0 or just past an LF.</summary>
    public static IEnumerable<byte[]> Backward(SafeFileHandle handle, long end)
    {
        if (end == 0)
        {
            yield break;
        }

        var chunk = new byte[ChunkSize];
        var carry = new List<byte[]>(); // pieces of the current line, later pieces first
        var cursor = end - 1; // skip the final LF
        while (cursor > 0)
        {
            var start = Math.Max(0, cursor - ChunkSize);
            var length = (int)(cursor - start);
            ReadExactly(handle, chunk.AsSpan(0, length), start);
            var lineEnd = length;
            int lf;
            while ((lf = chunk.AsSpan(0, lineEnd).LastIndexOf((byte)'\n')) >= 0)
            {
                carry.Add(chunk[(lf + 1)..lineEnd]);
                yield return Join(carry);
                carry.Clear();
                lineEnd = lf;
            }

            carry.Add(chunk[..lineEnd]);
            if (carry.Sum(piece => (long)piece.Length) > MaxLineBytes)
            {
                throw new AuditLogDamagedException($"The audit log has a line longer than {MaxLineBytes} bytes before offset {cursor}; run 'ztdr-vault audit verify'.");
            }

            cursor = start;
        }

        yield return Join(carry);
    }

    /// <summary>Every line from the start, the last one possibly unterminated.</summary>
    public static IEnumerable<Line> Forward(Stream stream)
    {
        var chunk = new byte[ChunkSize];
        var current = new MemoryStream();
        var tooLong = false;
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            var offset = 0;
            while (offset < read)
            {
                var lf = chunk.AsSpan(offset, read - offset).IndexOf((byte)'\n');
                var pieceEnd = lf < 0 ? read : offset + lf;
                if (!tooLong)
                {
                    current.Write(chunk, offset, pieceEnd - offset);
                    if (current.Length > MaxLineBytes)
                    {
                        // Keep counting the line as one, but stop holding it.
                        tooLong = true;
                        current.SetLength(0);
                    }
                }

                if (lf < 0)
                {
                    break;
                }

                yield return new Line(current.ToArray(), Terminated: true, tooLong);
                current.SetLength(0);
                tooLong = false;
                offset = pieceEnd + 1;
            }
        }

        if (current.Length > 0 || tooLong)
        {
            yield return new Line(current.ToArray(), Terminated: false, tooLong);
        }
    }

    public static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                throw new EndOfStreamException("The audit log shrank while it was being read.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    private static byte[] Join(List<byte[]> laterFirst)
    {
        var line = new byte[laterFirst.Sum(piece => piece.Length)];
        var position = 0;
        for (var i = laterFirst.Count - 1; i >= 0; i--)
        {
            laterFirst[i].CopyTo(line, position);
            position += laterFirst[i].Length;
        }

        return line;
    }
}
