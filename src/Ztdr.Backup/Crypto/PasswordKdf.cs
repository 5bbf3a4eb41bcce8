using NSec.Cryptography;

namespace Ztdr.Backup.Crypto;

/// <summary>
/// Argon2id (RFC 9106, version 0x13) of a key object's password (repository-format.md § 4), through libsodium where it
/// can and through Konscious where it cannot. Both compute the same function, so which one ran is invisible in the key
/// object; the choice is speed only. Every command derives one key-encryption key, and libsodium's AVX2 code does
/// 64 MiB × 3 passes in about a third of the CPU of Konscious's managed code, much of which runs unoptimised JIT tiers
/// in a short-lived process (issue 14).
/// </summary>
internal static class PasswordKdf
{
    /// <summary>The one salt length libsodium's crypto_pwhash takes (RFC 9106 § 3.1 recommends it for password hashing).</summary>
    public const int LibsodiumSaltLength = 16;

    public static byte[] Derive(byte[] password, KdfParameters kdf, byte[] salt, int length) =>
        UsesLibsodium(kdf, salt.Length) ? DeriveWithLibsodium(password, kdf, salt, length) : DeriveWithKonscious(password, kdf, salt, length);

    /// <summary>
    /// libsodium fixes the lane count at 1 and the salt at 16 bytes. Keys with more lanes (the default before 2026-12)
    /// or a 32-byte salt (every key before 2026-12) go through Konscious, so every existing repository still opens.
    /// </summary>
    internal static bool UsesLibsodium(KdfParameters kdf, int saltLength) => kdf.Parallelism == 1 && saltLength == LibsodiumSaltLength;

    internal static byte[] DeriveWithLibsodium(byte[] password, KdfParameters kdf, byte[] salt, int length)
    {
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = kdf.Parallelism,
            MemorySize = kdf.MemoryKiB,
            NumberOfPasses = kdf.Iterations,
        });
        return algorithm.DeriveBytes(password, salt, length);
    }

    internal static byte[] DeriveWithKonscious(byte[] password, KdfParameters kdf, byte[] salt, int length)
    {
        using var argon2 = new Konscious.Security.Cryptography.Argon2id(password)
        {
            Salt = salt,
            MemorySize = kdf.MemoryKiB,
            Iterations = kdf.Iterations,
            DegreeOfParallelism = kdf.Parallelism,
        };
        return argon2.GetBytes(length);
    }
}
