using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ztdr.Vault.Audit;

/// <summary>
/// A signed statement "the chain's record <see cref="Sequence"/> has hash <see cref="Hash"/>, at trusted time
/// <see cref="Time"/>" (docs/audit-format.md, "Checkpoints"). Because every record's hash covers the one before, it
/// vouches for the whole chain up to that record: a chain rewritten anywhere before it no longer has that hash there.
/// </summary>
public sealed record AuditCheckpoint(long Sequence, string Hash, DateTimeOffset Time, string KeyFingerprint, string Signature)
{
    public const int Version = 1;

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private string TimeText => Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// What is signed: a fixed ASCII text with its own label, so no other message the key might sign can pass for a
    /// checkpoint.
    /// </summary>
    public byte[] SignedBytes() => Encoding.ASCII.GetBytes(
        $"ztdr-vault audit checkpoint v{Version}\nseq={Sequence.ToString(CultureInfo.InvariantCulture)}\nhash={Hash}\ntime={TimeText}\nkey={KeyFingerprint}\n");

    /// <summary>The stored line without its LF: fields in fixed order, no whitespace.</summary>
    public string ToLine() =>
        $"{{\"v\":{Version},\"seq\":{Sequence.ToString(CultureInfo.InvariantCulture)},\"hash\":\"{Hash}\",\"time\":\"{TimeText}\",\"key\":\"{KeyFingerprint}\",\"sig\":\"{Signature}\"}}";

    public bool VerifiedBy(ECDsa publicKey)
    {
        Span<byte> signature = stackalloc byte[64];
        return CheckpointKey.FingerprintOf(publicKey) == KeyFingerprint
            && Convert.TryFromBase64String(Signature, signature, out var length) && length == 64
            && publicKey.VerifyData(SignedBytes(), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Reads one line; only the exact spelling <see cref="ToLine"/> writes is accepted. Does not check the signature.</summary>
    public static bool TryParse(string line, out AuditCheckpoint? checkpoint)
    {
        checkpoint = null;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var candidate = new AuditCheckpoint(
                root.GetProperty("seq").GetInt64(),
                root.GetProperty("hash").GetString()!,
                DateTimeOffset.ParseExact(root.GetProperty("time").GetString()!, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                root.GetProperty("key").GetString()!,
                root.GetProperty("sig").GetString()!);
            if (candidate.Sequence < 1 || !AuditRecordFormat.IsHash(candidate.Hash) || !AuditRecordFormat.IsHash(candidate.KeyFingerprint) || candidate.ToLine() != line)
            {
                return false;
            }

            checkpoint = candidate;
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            return false;
        }
    }
}
