using System.Globalization;

namespace Ztdr.S3.Signing;

/// <summary>The Credential component: AccessKeyId/yyyyMMdd/region/service/aws4_request.</summary>
internal sealed record Credential(string AccessKeyId, string Date, string Region, string Service)
{
    public string Scope => SigV4.Scope(Date, Region, Service);

    /// <summary>
    /// Parses the credential or throws the mode's "malformed" error. The access key is everything
    /// before the last four components, so a key that itself contains '/' still parses.
    /// </summary>
    public static Credential Parse(string value, bool presigned)
    {
        var parts = value.Split('/');
        if (parts.Length < 5 || parts[^1] != SigV4.ScopeTerminator)
        {
            throw SigV4Rejections.Malformed(presigned,
                $"Error parsing the Credential: '{value}'. Expected AccessKeyId/yyyyMMdd/region/{SigV4.Service}/{SigV4.ScopeTerminator}.");
        }

        var accessKeyId = string.Join('/', parts[..^4]);
        var date = parts[^4];
        var region = parts[^3];
        var service = parts[^2];
        if (accessKeyId.Length == 0 || region.Length == 0 ||
            !DateTime.TryParseExact(date, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw SigV4Rejections.Malformed(presigned,
                $"Error parsing the Credential: '{value}'. Expected AccessKeyId/yyyyMMdd/region/{SigV4.Service}/{SigV4.ScopeTerminator}.");
        }

        return new Credential(accessKeyId, date, region, service);
    }
}
