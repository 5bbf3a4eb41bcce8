using Ztdr.S3.Signing;

namespace Ztdr.S3.Tests.Signing;

/// <summary>The credentials, time and host of the worked examples in the Amazon S3 SigV4 documentation.</summary>
internal static class AwsExample
{
    public const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string Region = "us-east-1";
    public const string AmzDate = "20130524T000000Z";
    public const string Host = "examplebucket.s3.amazonaws.com";
    public const string Scope = "20130524/us-east-1/s3/aws4_request";

    public static readonly DateTimeOffset Time = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    public static string? Secrets(string accessKeyId) => accessKeyId == AccessKeyId ? SecretAccessKey : null;

    public static SigV4Verifier Verifier(TimeProvider? time = null, params string[] regions) =>
        new(Secrets, time ?? new FixedTimeProvider(Time), regions);

    public static SigV4Signer Signer(TimeProvider? time = null, string region = Region) =>
        new(AccessKeyId, SecretAccessKey, region, time ?? new FixedTimeProvider(Time));

    public static string Authorization(string signedHeaders, string signature) =>
        $"AWS4-HMAC-SHA256 Credential={AccessKeyId}/{Scope},SignedHeaders={signedHeaders},Signature={signature}";
}
