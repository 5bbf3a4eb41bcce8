using System.Security.Cryptography;

namespace Ztdr.Vault.Identity;

/// <summary>
/// New access key ids and secrets. Ids start with "ZV" so a user can tell a vault key from an
/// AWS key (AKIA...) at a glance; secrets carry 240 bits from the OS CSPRNG, drawn without
/// modulo bias.
/// </summary>
public static class AccessKeys
{
    public const string AccessKeyIdPrefix = "ZV";
    public const int AccessKeyIdLength = 20;
    public const int SecretAccessKeyLength = 40;

    // Upper-case letters and digits, like AWS key ids: safe in URLs, headers and file names.
    private const string AccessKeyIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    // The base64url alphabet: 64 symbols, so 40 characters hold 40 * 6 = 240 bits, and no character
    // needs escaping in a URL, an INI file or an environment variable.
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>"ZV" and 18 characters from A-Z0-9 (about 93 random bits: unique, not secret).</summary>
    public static string NewAccessKeyId() =>
        AccessKeyIdPrefix + new string(RandomNumberGenerator.GetItems<char>(AccessKeyIdAlphabet, AccessKeyIdLength - AccessKeyIdPrefix.Length));

    /// <summary>40 characters from the base64url alphabet: 240 random bits.</summary>
    public static string NewSecretAccessKey() =>
        new(RandomNumberGenerator.GetItems<char>(SecretAlphabet, SecretAccessKeyLength));
}
