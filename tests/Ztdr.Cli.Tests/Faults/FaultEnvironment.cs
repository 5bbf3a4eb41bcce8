using Amazon.S3.Model;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Faults;

/// <summary>What the fault tests share: the ztdr environment for a repository on a vault, and a look at the bucket that does not go through ztdr.</summary>
internal static class FaultEnvironment
{
    public const string Password = VaultCliTest.Password;

    /// <summary>The environment of a ztdr process using <paramref name="prefix"/> in the vault's bucket with the backup key.</summary>
    public static Dictionary<string, string> For(VaultProcess vault, string prefix, string profile = "backup")
    {
        var environment = VaultCliTest.EnvironmentFor(vault, prefix, profile);

        // A failing run gives up after a bounded time; the defaults (4 retries, 10 s connect) are for the field.
        environment["ZTDR_S3_MAX_RETRIES"] = "2";
        environment["ZTDR_S3_CONNECT_TIMEOUT"] = "2";
        return environment;
    }

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
