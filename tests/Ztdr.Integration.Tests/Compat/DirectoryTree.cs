using System.Security.Cryptography;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>Builds small file trees with awkward names and compares trees byte for byte.</summary>
internal static class DirectoryTree
{
    /// <summary>Relative paths chosen to need URL encoding (space, plus, non-ASCII) and nesting.</summary>
    public static readonly string[] Files =
    [
        "top.txt",
        "a/x.txt",
        "a/b/y.bin",
        "c/with space+plus.txt",
        "d/caf\u00e9-\u4e2d.txt",
    ];

    public static void Create(string root)
    {
        foreach (var file in Files)
        {
            var path = Path.Combine(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(1000 + RandomNumberGenerator.GetInt32(20_000)));
        }
    }

    public static void WriteRandomFile(string path, long size)
    {
        using var stream = File.Create(path);
        var buffer = new byte[1 << 20];
        for (long written = 0; written < size; written += buffer.Length)
        {
            var count = (int)Math.Min(buffer.Length, size - written);
            RandomNumberGenerator.Fill(buffer.AsSpan(0, count));
            stream.Write(buffer, 0, count);
        }
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>Same relative file names and the same bytes in each; empty folders are ignored.</summary>
    public static void AssertEqual(string expectedRoot, string actualRoot)
    {
        var expected = RelativeFiles(expectedRoot);
        var actual = RelativeFiles(actualRoot);
        Assert.Equal(expected, actual);
        foreach (var file in expected)
        {
            Assert.True(
                Sha256(Path.Combine(expectedRoot, file)) == Sha256(Path.Combine(actualRoot, file)),
                $"{file} differs between {expectedRoot} and {actualRoot}");
        }
    }

    private static List<string> RelativeFiles(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
}
