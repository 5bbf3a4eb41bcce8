using System.Globalization;
using System.Text.Json;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>
/// Reads how many refusals of requests that proved no key a vault's audit chain accounts for, by outcome: each record
/// of its own (the first of its source, outcome and minute) counts one, each <c>audit:summary</c> the number in its
/// <c>more=</c> (docs/audit-format.md, "Summaries"). Summaries of the current minute are written at shutdown, so stop
/// the vault first to see them all.
/// </summary>
internal static class UnauthenticatedRefusals
{
    public static async Task<Dictionary<string, long>> CountAsync(string dataDirectory)
    {
        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", dataDirectory, "--json", "-n", "1000000"]);
        Assert.True(tail.ExitCode == 0, tail.ToString());
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in tail.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.GetProperty("principal").GetString() != "unauthenticated")
            {
                continue;
            }

            var outcome = root.GetProperty("outcome").GetString()!;
            var count = 1L;
            if (root.GetProperty("operation").GetString() == "audit:summary")
            {
                var detail = root.GetProperty("key").GetString()!;
                Assert.StartsWith("more=", detail, StringComparison.Ordinal);
                count = long.Parse(detail["more=".Length..detail.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }

            counts[outcome] = counts.GetValueOrDefault(outcome) + count;
        }

        return counts;
    }
}
