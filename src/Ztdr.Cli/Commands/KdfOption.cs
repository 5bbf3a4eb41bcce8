using System.CommandLine;
using System.Globalization;
using Ztdr.Backup.Crypto;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>--kdf m=64MiB,t=3,p=1</c> (or <c>ZTDR_KDF</c>): the Argon2id cost of a new key, in the argon2 tool's letters
/// (memory, passes, lanes). For small devices where the default's 64 MiB × 3 passes is too slow, and for test suites
/// that open repositories hundreds of times. Never below OWASP's password-storage floor for Argon2id: at least 7 MiB and
/// memory × passes of at least 35 MiB (19 MiB × 2, 12 MiB × 3, 7 MiB × 5, …), so a key cannot be made cheap to guess.
/// </summary>
internal static class KdfOption
{
    public const string Variable = "ZTDR_KDF";

    public const int MinMemoryKiB = 7 * 1024;

    public const long MinCost = 35 * 1024;

    public static Option<string?> Create() => new("--kdf")
    {
        Description = "Argon2id cost of the new key as m=MEMORY,t=PASSES,p=LANES (default m=64MiB,t=3,p=1; env ZTDR_KDF). "
            + "At least m=7MiB and m×t ≥ 35MiB (OWASP's floor)",
    };

    /// <summary>The option's value, else ZTDR_KDF, else the default; throws a one-line usage error if malformed or too weak.</summary>
    public static KdfParameters Resolve(string? option, CliContext context)
    {
        var (text, source) = option is { Length: > 0 } ? (option, "--kdf") : (context.Variable(Variable), Variable);
        return text is null ? KdfParameters.Default : Parse(text, source);
    }

    internal static KdfParameters Parse(string text, string source)
    {
        var usage = $"{source} '{text}': use m=MEMORY,t=PASSES,p=LANES, e.g. m=64MiB,t=3,p=1";
        var (memory, passes, lanes) = (KdfParameters.Default.MemoryKiB, KdfParameters.Default.Iterations, KdfParameters.Default.Parallelism);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var value = equals < 0 ? "" : part[(equals + 1)..];
            switch (equals < 0 ? part : part[..equals])
            {
                case "m":
                    memory = ParseMemoryKiB(value) ?? throw new CliException(usage);
                    break;
                case "t":
                    passes = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : throw new CliException(usage);
                    break;
                case "p":
                    lanes = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : throw new CliException(usage);
                    break;
                default:
                    throw new CliException(usage);
            }
        }

        var kdf = new KdfParameters(memory, passes, lanes);
        try
        {
            kdf.Validate();
        }
        catch (Backup.RepositoryFormatException ex)
        {
            throw new CliException($"{source} '{text}': {ex.Message}");
        }

        if (memory < MinMemoryKiB || (long)memory * passes < MinCost)
        {
            throw new CliException($"{source} '{text}': below OWASP's floor for Argon2id (m at least 7MiB and m×t at least 35MiB), the key would be cheap to guess");
        }

        return kdf;
    }

    // "64MiB", "65536KiB" or "1GiB"; binary units only, as Argon2 counts memory in KiB.
    private static int? ParseMemoryKiB(string value)
    {
        foreach (var (suffix, factor) in new[] { ("KiB", 1L), ("MiB", 1024L), ("GiB", 1024L * 1024) })
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal)
                && long.TryParse(value.AsSpan(0, value.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
                && amount * factor <= int.MaxValue)
            {
                return (int)(amount * factor);
            }
        }

        return null;
    }
}
