using System.Globalization;
using System.Text;
using System.Text.Json;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Audit;

/// <summary>
/// The head anchor: the sequence and hash of the last record known durable, kept outside the log so that a log cut
/// back to an earlier valid prefix no longer matches it. Written only after the log itself is flushed, so it never
/// runs ahead of the log on an honest disk.
/// </summary>
internal sealed record AuditHead(long Sequence, string Hash)
{
    public static AuditHead Genesis { get; } = new(0, AuditRecordFormat.GenesisHash);

    public byte[] ToBytes() =>
        Encoding.ASCII.GetBytes($"{{\"v\":{AuditRecordFormat.Version},\"seq\":{Sequence.ToString(CultureInfo.InvariantCulture)},\"hash\":\"{Hash}\"}}\n");

    public void Write(string path) => DurableFile.Write(path, ToBytes(), AuditPaths.FileMode, overwrite: true);

    /// <summary>Null when there is no head file; throws when there is one that is not exactly a version 1 head.</summary>
    public static AuditHead? Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var head = new AuditHead(document.RootElement.GetProperty("seq").GetInt64(), document.RootElement.GetProperty("hash").GetString()!);
            if (head.Sequence >= 0 && AuditRecordFormat.IsHash(head.Hash) && bytes.AsSpan().SequenceEqual(head.ToBytes()))
            {
                return head;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Unreadable(path, e);
        }

        throw Unreadable(path, null);
    }

    private static AuditLogDamagedException Unreadable(string path, Exception? inner) =>
        new($"The audit head anchor '{path}' is not a version 1 head file; run 'ztdr-vault audit verify' and keep the folder as evidence.", inner);
}
