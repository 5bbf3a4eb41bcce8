using System.Globalization;
using Amazon.S3.Model;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Faults;

/// <summary>What the fault tests share: the ztdr environment for a repository on a vault, and a look at the bucket that does not go through ztdr.</summary>
internal static class FaultEnvironment
{
    public const string Password = "correct horse battery staple";

    /// <summary>The environment of a ztdr process using <paramref name="prefix"/> in the vault's bucket with the backup key.</summary>
    public static Dictionary<string, string> For(VaultProcess vault, string prefix, string profile = "backup") => new()
    {
        ["ZTDR_REPOSITORY"] = string.Format(CultureInfo.InvariantCulture, "s3:https://127.0.0.1:{0}/{1}/{2}", vault.Port, VaultProcess.DefaultBucket, prefix),
        ["ZTDR_PASSWORD"] = Password,
        ["AWS_SHARED_CREDENTIALS_FILE"] = vault.CredentialsFile,
        ["AWS_PROFILE"] = profile,
        ["AWS_CA_BUNDLE"] = vault.CaBundle,

        // A failing run gives up after a bounded time; the defaults (4 retries, 10 s connect) are for the field.
        ["ZTDR_S3_MAX_RETRIES"] = "2",
        ["ZTDR_S3_CONNECT_TIMEOUT"] = "2",
    };

    /// <summary>Every object version under <paramref name="prefix"/> with its size, read with the all-roles key.</summary>
    public static async Task<IReadOnlyList<(string Key, long Size)>> ListAsync(VaultProcess vault, string prefix)
    {
        using var client = vault.CreateClient();
        var found = new List<(string, long)>();
        var request = new ListVersionsRequest { BucketName = VaultProcess.DefaultBucket, Prefix = prefix };
        while (true)
        {
            var page = await client.ListVersionsAsync(request);
            found.AddRange((page.Versions ?? []).Select(v => (v.Key, v.Size ?? 0)));
            if (page.IsTruncated != true)
            {
                return found;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }

    /// <summary>The lines ztdr itself wrote to stderr ("ztdr: ..."), without progress lines.</summary>
    public static string[] ZtdrLines(ProcessResult result) =>
        [.. result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("ztdr: ", StringComparison.Ordinal))];
}
