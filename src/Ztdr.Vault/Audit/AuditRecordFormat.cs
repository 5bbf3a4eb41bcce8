using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ztdr.Vault.Audit;

/// <summary>
/// The canonical form of a record (docs/audit-format.md): one exact byte string per record, so that anyone can recompute
/// a hash from the fields alone. Serialization is hand-written rather than left to a JSON library, because a library's
/// escaping rules may change between versions and every change would break every existing chain.
/// </summary>
internal static class AuditRecordFormat
{
    /// <summary>The chain's version (records without a lock field, the head anchor, the genesis value).</summary>
    public const int Version = 1;

    /// <summary>A record carrying the lock state of its version: version 1's fields plus <c>lock</c> before <c>prev</c>.</summary>
    public const int LockVersion = 2;

    /// <summary>SHA-256 of the ASCII text "ztdr-vault audit chain v1": the previous hash of record 1.</summary>
    public static readonly string GenesisHash = Sha256Hex(Encoding.ASCII.GetBytes("ztdr-vault audit chain v1"));

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>
    /// The bytes the record's hash is computed over: a JSON object with the fields in fixed order, no whitespace,
    /// <c>null</c> for absent optional fields, and without the <c>hash</c> field itself.
    /// </summary>
    public static byte[] Canonical(long sequence, string previousHash, AuditEvent auditEvent)
    {
        var text = new StringBuilder(256);
        // Records without lock state stay version 1 byte for byte, so every existing chain and verifier is unaffected.
        var version = auditEvent.Lock is null ? Version : LockVersion;
        text.Append("{\"v\":").Append(version.ToString(CultureInfo.InvariantCulture));
        text.Append(",\"seq\":").Append(sequence.ToString(CultureInfo.InvariantCulture));
        text.Append(",\"time\":\"").Append(auditEvent.TrustedTime.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)).Append('"');
        Field(text, "principal", auditEvent.Principal);
        Field(text, "operation", auditEvent.Operation);
        Field(text, "bucket", auditEvent.Bucket);
        Field(text, "key", auditEvent.Key);
        Field(text, "versionId", auditEvent.VersionId);
        Field(text, "outcome", auditEvent.Outcome);
        Field(text, "source", auditEvent.Source);
        Field(text, "requestId", auditEvent.RequestId);
        if (auditEvent.Lock is { } lockState)
        {
            Field(text, "lock", lockState.ToString());
        }

        text.Append(",\"prev\":\"").Append(previousHash).Append("\"}");

        // A lone surrogate cannot be encoded; UTF-8 encoding replaces it with U+FFFD, and parsing gives U+FFFD back,
        // so the stored record still round-trips byte for byte.
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Builds the record for the next place in the chain.</summary>
    public static (AuditRecord Record, byte[] Line) Create(long sequence, string previousHash, AuditEvent auditEvent)
    {
        var canonical = Canonical(sequence, previousHash, auditEvent);
        var hash = Sha256Hex(canonical);
        return (new AuditRecord(sequence, previousHash, auditEvent, hash), Line(canonical, hash));
    }

    /// <summary>The stored line: the canonical form with <c>,"hash":"…"</c> inserted before its closing brace, then LF.</summary>
    public static byte[] Line(ReadOnlySpan<byte> canonical, string hash)
    {
        var suffix = Encoding.ASCII.GetBytes($",\"hash\":\"{hash}\"}}\n");
        var line = new byte[canonical.Length - 1 + suffix.Length];
        canonical[..^1].CopyTo(line);
        suffix.CopyTo(line.AsSpan(canonical.Length - 1));
        return line;
    }

    /// <summary>
    /// Reads one stored line (without its LF). Accepts only the exact canonical encoding: any other spelling of the
    /// same JSON (whitespace, key order, escapes, duplicate keys) is refused, so a record has one valid byte form.
    /// The stored hash is returned as read, not checked; <see cref="AuditRecord.Hash"/> holds it.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out AuditRecord? record, out string? error)
    {
        record = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "not a JSON object";
                return false;
            }

            if (!root.TryGetProperty("v", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v is not (Version or LockVersion))
            {
                error = "not a version 1 or 2 record";
                return false;
            }

            var sequence = root.GetProperty("seq").GetInt64();
            var time = DateTimeOffset.ParseExact(root.GetProperty("time").GetString()!, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            var auditEvent = new AuditEvent(
                time,
                Required(root, "principal"),
                Required(root, "operation"),
                Optional(root, "bucket"),
                Optional(root, "key"),
                Optional(root, "versionId"),
                Required(root, "outcome"),
                Optional(root, "source"),
                Optional(root, "requestId"));
            if (v == LockVersion)
            {
                if (!AuditLock.TryParse(Required(root, "lock"), out var lockState))
                {
                    error = "its lock field is not in the form docs/audit-format.md gives";
                    return false;
                }

                auditEvent = auditEvent with { Lock = lockState };
            }

            var previous = Required(root, "prev");
            var hash = Required(root, "hash");
            if (!IsHash(previous) || !IsHash(hash))
            {
                error = "prev or hash is not 64 lower-case hex characters";
                return false;
            }

            var expected = Line(Canonical(sequence, previous, auditEvent), hash);
            if (!line.SequenceEqual(expected.AsSpan(0, expected.Length - 1)))
            {
                error = "not in canonical form";
                return false;
            }

            record = new AuditRecord(sequence, previous, auditEvent, hash);
            error = null;
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            error = "not a valid record: " + e.Message;
            return false;
        }
    }

    /// <summary>The hash the record's fields call for, whatever its stored hash says.</summary>
    public static string ComputeHash(AuditRecord record) => Sha256Hex(Canonical(record.Sequence, record.PreviousHash, record.Event));

    public static bool IsHash(string value) => value.Length == 64 && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static string Required(JsonElement root, string name) =>
        root.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");

    private static string? Optional(JsonElement root, string name) => root.GetProperty(name).GetString();

    private static void Field(StringBuilder text, string name, string? value)
    {
        text.Append(",\"").Append(name).Append("\":");
        if (value is null)
        {
            text.Append("null");
            return;
        }

        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case < ' ' or '\u007f':
                    // Control characters, LF above all, must never reach the file raw: one record is one line.
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }
}
