using System.Security.Cryptography;
using System.Text;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Audit;

/// <summary>
/// The vault's checkpoint signing key: ECDSA over P-256 with SHA-256, built into .NET (no package; Ed25519 is not).
/// The private key lives in the audit folder (0600) and signs chain heads; its public half is what an operator keeps
/// off the host. Root on the host can read the private key and sign a rewritten chain — which is why only checkpoints
/// held elsewhere prove anything (docs/threat-model.md, "Root on the host").
/// </summary>
public sealed class CheckpointKey : IDisposable
{
    private readonly ECDsa _key;

    private CheckpointKey(ECDsa key)
    {
        _key = key;
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        Fingerprint = FingerprintOf(key);
    }

    /// <summary>SHA-256 of the public key's SubjectPublicKeyInfo (DER), 64 lower-case hex characters.</summary>
    public string Fingerprint { get; }

    public string PublicKeyPem { get; }

    /// <summary>
    /// Loads the key of the audit folder, creating it (and the public key file) when there is none: at init, and at the
    /// first start of a vault created before checkpoints existed. <paramref name="created"/> says which.
    /// </summary>
    public static CheckpointKey LoadOrCreate(string auditDirectory, out bool created)
    {
        var paths = new AuditPaths(Path.GetFullPath(auditDirectory));
        Directory.CreateDirectory(paths.Directory, AuditPaths.FolderMode);
        created = !File.Exists(paths.SigningKey);
        ECDsa key;
        if (created)
        {
            key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            DurableFile.Write(paths.SigningKey, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()), AuditPaths.FileMode, overwrite: false);
        }
        else
        {
            key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(paths.SigningKey));
        }

        var result = new CheckpointKey(key);
        if (!File.Exists(paths.PublicKey))
        {
            DurableFile.Write(paths.PublicKey, Encoding.ASCII.GetBytes(result.PublicKeyPem + "\n"), AuditPaths.FileMode, overwrite: false);
        }

        return result;
    }

    /// <summary>Where the audit folder keeps the public key (the default for verify; root could replace it).</summary>
    public static string PublicKeyPath(string auditDirectory) => new AuditPaths(Path.GetFullPath(auditDirectory)).PublicKey;

    /// <summary>Reads a public key file (SubjectPublicKeyInfo PEM) to verify checkpoints with.</summary>
    public static ECDsa ReadPublicKey(string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize != 256)
            {
                throw new ArgumentException($"'{path}' is not a P-256 public key");
            }

            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ArgumentException($"'{path}' is not a checkpoint public key (PEM, ECDSA P-256): {e.Message}", e);
        }
    }

    public static string FingerprintOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public AuditCheckpoint Sign(long sequence, string hash, DateTimeOffset trustedTime)
    {
        var unsigned = new AuditCheckpoint(sequence, hash, trustedTime, Fingerprint, string.Empty);
        var signature = _key.SignData(unsigned.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return unsigned with { Signature = Convert.ToBase64String(signature) };
    }

    public void Dispose() => _key.Dispose();
}
