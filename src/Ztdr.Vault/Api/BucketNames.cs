using Ztdr.S3.Errors;

namespace Ztdr.Vault.Api;

/// <summary>S3's bucket naming rules (DNS-compatible, so virtual-hosted addressing always works).</summary>
public static class BucketNames
{
    public static void Validate(string name)
    {
        if (!IsValid(name))
        {
            throw new S3Exception(S3Errors.InvalidBucketName).With("BucketName", name);
        }
    }

    public static bool IsValid(string name)
    {
        if (name.Length is < 3 or > 63 || name.Contains("..", StringComparison.Ordinal)
            || name.StartsWith("xn--", StringComparison.Ordinal) || name.EndsWith("-s3alias", StringComparison.Ordinal)
            || LooksLikeIPv4Address(name))
        {
            return false;
        }

        if (!char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        if (!char.IsAsciiLetterLower(name[^1]) && !char.IsAsciiDigit(name[^1]))
        {
            return false;
        }

        return name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.');
    }

    // S3 refuses names "formatted as an IP address" (four dot-separated numbers). IPAddress.TryParse is no test
    // for that: it also accepts "123", "1.2.3" and "0x1f" (inet_aton forms), which are valid bucket names.
    private static bool LooksLikeIPv4Address(string name)
    {
        var labels = name.Split('.');
        return labels.Length == 4 && labels.All(l => l.Length > 0 && l.All(char.IsAsciiDigit));
    }
}
