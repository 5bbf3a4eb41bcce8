using Ztdr.S3.Errors;

namespace Ztdr.S3.Xml;

/// <summary>Parses the bucket-level request bodies: CreateBucketConfiguration and VersioningConfiguration.</summary>
public static class BucketXmlParser
{
    public static async ValueTask<CreateBucketConfiguration> ParseCreateBucketConfigurationAsync(
        Stream body, int maxBytes = S3Xml.DefaultMaxBodyBytes, CancellationToken cancellationToken = default) =>
        ParseCreateBucketConfiguration(await XmlBody.ReadCappedAsync(body, maxBytes, cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>An empty body is the common case (us-east-1, or a client that sends no configuration) and is allowed.</summary>
    public static CreateBucketConfiguration ParseCreateBucketConfiguration(ReadOnlyMemory<byte> body, int maxBytes = S3Xml.DefaultMaxBodyBytes)
    {
        var root = XmlBody.LoadOptional(body, "CreateBucketConfiguration", maxBytes);
        // The region is returned verbatim; whether it names this vault's region is the vault's decision.
        return new(root is null ? null : XmlBody.OptionalText(root, "LocationConstraint"));
    }

    public static async ValueTask<VersioningConfiguration> ParseVersioningConfigurationAsync(
        Stream body, int maxBytes = S3Xml.DefaultMaxBodyBytes, CancellationToken cancellationToken = default) =>
        ParseVersioningConfiguration(await XmlBody.ReadCappedAsync(body, maxBytes, cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>
    /// Status must be exactly <c>Enabled</c> or <c>Suspended</c> (case-sensitive, like AWS). MfaDelete may be absent or
    /// <c>Disabled</c>; <c>Enabled</c> is refused as NotImplemented rather than silently ignored, so nobody believes
    /// deletes are MFA-protected when they are not.
    /// </summary>
    public static VersioningConfiguration ParseVersioningConfiguration(ReadOnlyMemory<byte> body, int maxBytes = S3Xml.DefaultMaxBodyBytes)
    {
        var root = XmlBody.Load(body, "VersioningConfiguration", maxBytes);
        var status = XmlBody.OptionalText(root, "Status") switch
        {
            "Enabled" => VersioningStatus.Enabled,
            "Suspended" => VersioningStatus.Suspended,
            _ => throw XmlBody.Malformed(),
        };

        switch (XmlBody.OptionalText(root, "MfaDelete"))
        {
            case null or "Disabled":
                break;
            case "Enabled":
                throw new S3Exception(S3Errors.NotImplemented, "MFA delete is not supported by this vault; send MfaDelete=Disabled or omit it.");
            default:
                throw XmlBody.Malformed();
        }

        return new(status);
    }
}
