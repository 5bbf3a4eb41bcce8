using System.Net.Sockets;
using System.Text;

namespace Ztdr.Backup.Tests.Archiving;

/// <summary>
/// A temp folder with what a backup must handle: small, empty and multi-chunk files, an exact duplicate, nested and
/// empty folders, symlinks (relative, absolute, dangling), odd names, assorted modes and a socket to skip. Deterministic
/// content; the folder is deleted on dispose.
/// </summary>
internal sealed class GeneratedTree : IDisposable
{
    public GeneratedTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "ztdr-at-" + Guid.NewGuid().ToString("N")[..12]);
        Source = Path.Combine(Root, "src");
        var random = new Random(42);
        Directory.CreateDirectory(Path.Combine(Source, "docs", "deep", "deeper"));
        Directory.CreateDirectory(Path.Combine(Source, "empty"));
        Directory.CreateDirectory(Path.Combine(Source, "empty-nested", "inner"));

        for (var i = 0; i < 20; i++)
        {
            File.WriteAllBytes(Path.Combine(Source, "docs", $"note-{i}.txt"), Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"line {i} of a text file\n", 50 + i))));
        }

        var big = new byte[3 * 1024 * 1024 + 12345];
        random.NextBytes(big);
        File.WriteAllBytes(Path.Combine(Source, "big.bin"), big);
        File.WriteAllBytes(Path.Combine(Source, "docs", "deep", "big-copy.bin"), big);
        File.WriteAllBytes(Path.Combine(Source, "docs", "deep", "deeper", "empty.dat"), []);
        File.WriteAllText(Path.Combine(Source, "odd name ü 😀 #1.txt"), "odd");
        File.WriteAllText(Path.Combine(Source, "script.sh"), "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(Source, "script.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        File.SetUnixFileMode(Path.Combine(Source, "docs", "note-3.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetLastWriteTimeUtc(Path.Combine(Source, "docs", "note-4.txt"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(Path.Combine(Source, "empty"), new DateTime(2002, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        File.CreateSymbolicLink(Path.Combine(Source, "link-to-big"), "big.bin");
        File.CreateSymbolicLink(Path.Combine(Source, "docs", "dangling"), "../nowhere");
        File.CreateSymbolicLink(Path.Combine(Source, "absolute-link"), "/etc/hostname");

        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(Source, "a.sock")));
    }

    private readonly Socket _socket;

    /// <summary>The temp folder; tests put restore targets next to <see cref="Source"/>.</summary>
    public string Root { get; }

    public string Source { get; }

    /// <summary>Regular files, folders (the source included) and symlinks, as a backup counts them.</summary>
    public (int Files, int Dirs, int Symlinks, long Bytes) Expected => (25, 7, 3, 2 * (3 * 1024 * 1024 + 12345) + ExpectedTextBytes + 3 + 18);

    private static long ExpectedTextBytes => Enumerable.Range(0, 20).Sum(i => (long)Encoding.UTF8.GetByteCount($"line {i} of a text file\n") * (50 + i));

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
