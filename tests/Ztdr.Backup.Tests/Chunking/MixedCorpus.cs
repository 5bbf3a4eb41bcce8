using System.Buffers.Binary;
using System.Text;

namespace Ztdr.Backup.Tests.Chunking;

/// <summary>
/// A deterministic stand-in for a real backup set, used to choose chunker and compression parameters: by bytes about
/// 40% text-like, 30% incompressible, 10% database-like pages, 20% exact and near duplicates; many small files and a
/// few large ones. <see cref="NextVersion"/> changes about 2% of the files the way a day of work would.
/// </summary>
internal sealed class MixedCorpus
{
    private readonly DeterministicBytes _random;
    private readonly string[] _vocabulary;

    private MixedCorpus(ulong seed)
    {
        _random = new DeterministicBytes(seed);
        _vocabulary = Enumerable.Range(0, 4000).Select(_ => Word()).ToArray();
    }

    public List<byte[]> Files { get; } = [];

    public static MixedCorpus Generate(ulong seed, long totalBytes)
    {
        var corpus = new MixedCorpus(seed);
        corpus.Fill(totalBytes);
        return corpus;
    }

    public long TotalBytes => Files.Sum(f => (long)f.Length);

    /// <summary>A copy in which about 2% of the files are edited, appended to or added.</summary>
    public List<byte[]> NextVersion()
    {
        var next = Files.Select(f => f).ToList();
        var changes = Math.Max(1, next.Count / 50);
        for (var c = 0; c < changes; c++)
        {
            var index = _random.NextInt(next.Count);
            var file = next[index];
            next[index] = (c % 4) switch
            {
                0 => Insert(file, Encoding.UTF8.GetBytes(TextLine())),
                1 => Overwrite(file, Math.Min(4096, file.Length)),
                2 => [.. file, .. Encoding.UTF8.GetBytes(TextLine())],
                _ => DatabaseEdit(file),
            };
        }

        next.Add(Text(256 * 1024));
        return next;
    }

    private void Fill(long totalBytes)
    {
        long text = 0, random = 0, database = 0, duplicates = 0;
        while (text + random + database + duplicates < totalBytes)
        {
            var total = text + random + database + duplicates + 1;
            if (duplicates < total * 0.2 && Files.Count > 10)
            {
                var source = Files[_random.NextInt(Files.Count)];
                var copy = _random.NextInt(2) == 0 ? source : NearDuplicate(source);
                Files.Add(copy);
                duplicates += copy.Length;
            }
            else if (database < total * 0.1)
            {
                var file = Database(8 * 1024 * (1024 + _random.NextInt(3072)));
                Files.Add(file);
                database += file.Length;
            }
            else if (random < total * 0.3)
            {
                var file = new byte[FileSize()];
                _random.Fill(file);
                Files.Add(file);
                random += file.Length;
            }
            else
            {
                var file = Text(FileSize());
                Files.Add(file);
                text += file.Length;
            }
        }
    }

    // Many small files, a few large: 85% 1–256 KiB, 12% 256 KiB–4 MiB, 3% 4–48 MiB.
    private int FileSize()
    {
        var roll = _random.NextInt(100);
        return roll < 85 ? 1024 + _random.NextInt(255 * 1024)
            : roll < 97 ? (256 * 1024) + _random.NextInt(3840 * 1024)
            : (4 * 1024 * 1024) + _random.NextInt(44 * 1024 * 1024);
    }

    private string Word()
    {
        var length = 2 + _random.NextInt(9);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)('a' + _random.NextInt(26));
        }

        return new string(chars);
    }

    private string TextLine()
    {
        var builder = new StringBuilder();
        var words = 4 + _random.NextInt(12);
        for (var w = 0; w < words; w++)
        {
            // Product of two uniforms skews towards common words, roughly like natural language.
            var index = _random.NextInt(_vocabulary.Length) * _random.NextInt(_vocabulary.Length) / _vocabulary.Length;
            builder.Append(_vocabulary[index]).Append(w + 1 < words ? ' ' : '\n');
        }

        return builder.ToString();
    }

    private byte[] Text(int size)
    {
        var builder = new StringBuilder(size + 128);
        while (builder.Length < size)
        {
            builder.Append(TextLine());
        }

        return Encoding.UTF8.GetBytes(builder.ToString(0, size));
    }

    // 8 KiB pages: a header, fixed-width rows (ids, counters, short names), then free space.
    private byte[] Database(int size)
    {
        var file = new byte[size];
        for (var page = 0; page < size / 8192; page++)
        {
            var span = file.AsSpan(page * 8192, 8192);
            BinaryPrimitives.WriteInt32LittleEndian(span, page);
            var rows = _random.NextInt(120);
            for (var row = 0; row < rows; row++)
            {
                var record = span.Slice(32 + (row * 64), 64);
                BinaryPrimitives.WriteInt64LittleEndian(record, (page * 1000L) + row);
                BinaryPrimitives.WriteInt32LittleEndian(record[8..], _random.NextInt(100_000));
                Encoding.ASCII.GetBytes(_vocabulary[_random.NextInt(200)]).CopyTo(record[16..]);
            }
        }

        return file;
    }

    private byte[] NearDuplicate(byte[] source)
    {
        var copy = source;
        for (var edit = 0; edit < 3; edit++)
        {
            copy = _random.NextInt(2) == 0 ? Insert(copy, Encoding.UTF8.GetBytes(TextLine())) : Overwrite(copy, Math.Min(512, copy.Length));
        }

        return copy;
    }

    private byte[] Insert(byte[] file, byte[] inserted)
    {
        var at = _random.NextInt(file.Length + 1);
        return [.. file.AsSpan(0, at), .. inserted, .. file.AsSpan(at)];
    }

    private byte[] Overwrite(byte[] file, int length)
    {
        var copy = (byte[])file.Clone();
        _random.Fill(copy.AsSpan(_random.NextInt(copy.Length - length + 1), length));
        return copy;
    }

    private byte[] DatabaseEdit(byte[] file)
    {
        var copy = (byte[])file.Clone();
        var pages = Math.Max(1, copy.Length / 8192 / 100);
        for (var p = 0; p < pages; p++)
        {
            var offset = _random.NextInt(Math.Max(1, copy.Length / 8192)) * 8192;
            _random.Fill(copy.AsSpan(offset + 32, Math.Min(64, copy.Length - offset - 32 < 0 ? 0 : copy.Length - offset - 32)));
        }

        return copy;
    }
}
