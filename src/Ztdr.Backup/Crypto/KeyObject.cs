using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ztdr.Backup.Crypto;

/// <summary>
/// One <c>keys/&lt;id&gt;</c> object: the master key wrapped with AES-256-GCM under Argon2id(password)
/// (repository-format.md § 4). Plain JSON because it is read before any key is known. Several key objects are several
/// passwords for the same master key.
/// </summary>
internal sealed class KeyObject
{
    // 16 bytes, RFC 9106's recommendation and the only salt libsodium's Argon2id takes (PasswordKdf). Keys made before
    // 2026-12 have 32-byte salts; readers take 16..64.
    public const int SaltLength = PasswordKdf.LibsodiumSaltLength;
    private const int MinSaltLength = 16;
    private const int MaxSaltLength = 64;
    private const int FormatVersion = 1;
    private const int Argon2Version = 19; // 0x13, the version RFC 9106 specifies and both libsodium and Konscious implement.

    private KeyObject(DateTimeOffset created, KdfParameters kdf, byte[] salt, byte[] nonce, byte[] ciphertext)
    {
        Created = created;
        Kdf = kdf;
        Salt = salt;
        Nonce = nonce;
        Ciphertext = ciphertext;
    }

    public DateTimeOffset Created { get; }

    public KdfParameters Kdf { get; }

    internal byte[] Salt { get; }

    internal byte[] Nonce { get; }

    internal byte[] Ciphertext { get; }

    public static KeyObject Create(MasterKey masterKey, string password, KdfParameters kdf, DateTimeOffset created) =>
        Create(masterKey, password, kdf, created, RandomNumberGenerator.GetBytes(SaltLength), RandomNumberGenerator.GetBytes(BlobCipher.NonceLength));

    /// <summary>Wraps with a given salt and nonce. Only golden tests choose them.</summary>
    internal static KeyObject Create(MasterKey masterKey, string password, KdfParameters kdf, DateTimeOffset created, byte[] salt, byte[] nonce)
    {
        kdf.Validate();
        var kek = DeriveKeyEncryptionKey(password, kdf, salt);
        try
        {
            using var aes = new AesGcm(kek, BlobCipher.TagLength);
            var ciphertext = new byte[MasterKey.Length + BlobCipher.TagLength];
            aes.Encrypt(nonce, masterKey.Bytes, ciphertext.AsSpan(0, MasterKey.Length), ciphertext.AsSpan(MasterKey.Length), AssociatedData(kdf, salt));
            return new KeyObject(created.ToUniversalTime(), kdf, salt, nonce, ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>Tries each key object in turn; the first that opens yields the master key.</summary>
    public static MasterKey UnwrapAny(IEnumerable<KeyObject> keys, string password)
    {
        var tried = 0;
        foreach (var key in keys)
        {
            tried++;
            if (key.TryUnwrap(password, out var masterKey))
            {
                return masterKey;
            }
        }

        throw new WrongPasswordException(tried == 0
            ? "The repository has no key objects: it is not initialised, or keys/ was not readable with these credentials."
            : $"The password opens none of the repository's {tried} key objects. Check the password source (--password-file, ZTDR_PASSWORD_FILE, ZTDR_PASSWORD).");
    }

    /// <summary>False when the password is wrong for this key (the tag does not verify).</summary>
    public bool TryUnwrap(string password, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MasterKey? masterKey)
    {
        var kek = DeriveKeyEncryptionKey(password, Kdf, Salt);
        var plain = new byte[MasterKey.Length];
        try
        {
            using var aes = new AesGcm(kek, BlobCipher.TagLength);
            aes.Decrypt(Nonce, Ciphertext.AsSpan(0, MasterKey.Length), Ciphertext.AsSpan(MasterKey.Length), plain, AssociatedData(Kdf, Salt));
            masterKey = MasterKey.FromBytes(plain);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // A wrong password and a damaged key object look the same; either way this key does not open.
            masterKey = null;
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public byte[] Serialize()
    {
        var document = new KeyDocument
        {
            Version = FormatVersion,
            Created = Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
            Kdf = new KdfDocument
            {
                Algorithm = "argon2id",
                Version = Argon2Version,
                MemoryKiB = Kdf.MemoryKiB,
                Iterations = Kdf.Iterations,
                Parallelism = Kdf.Parallelism,
                Salt = Convert.ToBase64String(Salt),
            },
            Wrap = new WrapDocument
            {
                Algorithm = "aes-256-gcm",
                Nonce = Convert.ToBase64String(Nonce),
                Ciphertext = Convert.ToBase64String(Ciphertext),
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, KeyObjectJsonContext.Readable.KeyDocument);
    }

    public static KeyObject Parse(ReadOnlySpan<byte> json)
    {
        KeyDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, KeyObjectJsonContext.Default.KeyDocument);
        }
        catch (JsonException ex)
        {
            throw new RepositoryFormatException("A key object is not valid JSON.", ex);
        }

        if (document is not { Kdf: { } kdf, Wrap: { } wrap })
        {
            throw new RepositoryFormatException("A key object lacks its kdf or wrap section.");
        }

        if (document.Version != FormatVersion || kdf.Algorithm != "argon2id" || kdf.Version != Argon2Version || wrap.Algorithm != "aes-256-gcm")
        {
            throw new RepositoryFormatException(
                $"A key object has version {document.Version}, kdf {kdf.Algorithm} v{kdf.Version}, wrap {wrap.Algorithm}; this ztdr reads version {FormatVersion}, argon2id v{Argon2Version}, aes-256-gcm.");
        }

        var parameters = new KdfParameters(kdf.MemoryKiB, kdf.Iterations, kdf.Parallelism);
        parameters.Validate();
        var salt = DecodeBase64(kdf.Salt, "salt");
        var nonce = DecodeBase64(wrap.Nonce, "nonce");
        var ciphertext = DecodeBase64(wrap.Ciphertext, "ciphertext");
        if (salt.Length is < MinSaltLength or > MaxSaltLength || nonce.Length != BlobCipher.NonceLength || ciphertext.Length != MasterKey.Length + BlobCipher.TagLength)
        {
            throw new RepositoryFormatException(
                $"A key object has a {salt.Length}-byte salt, {nonce.Length}-byte nonce and {ciphertext.Length}-byte ciphertext; expected {MinSaltLength}..{MaxSaltLength}, {BlobCipher.NonceLength} and {MasterKey.Length + BlobCipher.TagLength}.");
        }

        if (!DateTimeOffset.TryParse(document.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var created))
        {
            throw new RepositoryFormatException($"A key object has an unreadable creation time '{document.Created}'.");
        }

        return new KeyObject(created, parameters, salt, nonce, ciphertext);
    }

    private static byte[] DecodeBase64(string? value, string field)
    {
        try
        {
            return Convert.FromBase64String(value ?? string.Empty);
        }
        catch (FormatException ex)
        {
            throw new RepositoryFormatException($"A key object's {field} is not base64.", ex);
        }
    }

    private static byte[] DeriveKeyEncryptionKey(string password, KdfParameters kdf, byte[] salt)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return PasswordKdf.Derive(passwordBytes, kdf, salt, RepositoryKeys.KeyLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    // "ztdr/v1/key-wrap" || u32 memoryKiB || u32 iterations || u32 parallelism || salt: the parameters travel in clear
    // JSON, so they are authenticated here too.
    private static byte[] AssociatedData(KdfParameters kdf, byte[] salt)
    {
        var label = "ztdr/v1/key-wrap"u8;
        var data = new byte[label.Length + 12 + salt.Length];
        label.CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(label.Length), (uint)kdf.MemoryKiB);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(label.Length + 4), (uint)kdf.Iterations);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(label.Length + 8), (uint)kdf.Parallelism);
        salt.CopyTo(data.AsSpan(label.Length + 12));
        return data;
    }
}

internal sealed class KeyDocument
{
    public int Version { get; set; }

    public string? Created { get; set; }

    public KdfDocument? Kdf { get; set; }

    public WrapDocument? Wrap { get; set; }
}

internal sealed class KdfDocument
{
    public string? Algorithm { get; set; }

    public int Version { get; set; }

    public int MemoryKiB { get; set; }

    public int Iterations { get; set; }

    public int Parallelism { get; set; }

    public string? Salt { get; set; }
}

internal sealed class WrapDocument
{
    public string? Algorithm { get; set; }

    public string? Nonce { get; set; }

    public string? Ciphertext { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(KeyDocument))]
internal sealed partial class KeyObjectJsonContext : JsonSerializerContext
{
    // Base64 keeps '+' and '/' as they are; the default encoder's HTML-safe escaping (\u002B) serves no reader here.
    public static KeyObjectJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
