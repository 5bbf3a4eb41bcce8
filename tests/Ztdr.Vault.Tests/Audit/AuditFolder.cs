using System.Text;
using Ztdr.Vault.Audit;

namespace Ztdr.Vault.Tests.Audit;

/// <summary>A temp folder holding one audit log, with the hand tools an attacker (or a crash) would use on it.</summary>
internal sealed class AuditFolder : IDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly Tls.TemporaryFolder _folder = new();

    public string Directory => _folder.Combine("audit");

    public string LogPath => Path.Combine(Directory, "log.jsonl");

    public string HeadPath => Path.Combine(Directory, "head");

    /// <summary>Record <paramref name="n"/>'s event: every field distinct, so a test can find and change any of them.</summary>
    public static AuditEvent Event(int n) => new(
        Start.AddSeconds(n),
        $"AKIDUSER{n:D4}",
        n % 2 == 0 ? "PutObject" : "DeleteObject",
        $"bucket-{n}",
        $"data/pack-{n:D4}",
        $"version-{n}",
        n % 3 == 0 ? "denied:AccessDenied" : "allowed",
        $"192.0.2.{n % 250}",
        $"request-{n}");

    public async Task WriteAsync(int count, int first = 1)
    {
        await using var log = AuditLog.Open(Directory);
        for (var n = first; n < first + count; n++)
        {
            await log.AppendAsync(Event(n));
        }
    }

    public string[] ReadLines() => File.ReadAllText(LogPath, Encoding.UTF8).Split('\n')[..^1];

    public void WriteLines(IEnumerable<string> lines) => File.WriteAllText(LogPath, string.Concat(lines.Select(line => line + "\n")), new UTF8Encoding(false));

    public void Dispose() => _folder.Dispose();
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
