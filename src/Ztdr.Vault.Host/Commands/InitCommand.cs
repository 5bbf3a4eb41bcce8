using System.CommandLine;
using System.Globalization;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Setup;

namespace Ztdr.Vault.Host.Commands;

internal static class InitCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The vault's data folder (created 0700; must be new or empty)", Required = true };
        var credentials = new Option<string>("--credentials-out") { Description = "AWS shared-credentials file that receives the new keys (0600): profiles admin, backup, reader, maintenance", Required = true };
        var bucket = new Option<string?>("--bucket") { Description = "Create this bucket with versioning and Object Lock enabled" };
        var hostnames = new Option<string[]>("--hostname") { Description = "Extra DNS names or IPs for the server certificate (repeatable)", AllowMultipleArgumentsPerToken = true };
        var defaultRetention = new Option<string?>("--default-retention") { Description = "Default retention for the bucket, e.g. 30d or 1y (none unless given)" };
        var mode = new Option<string>("--mode") { Description = "Mode of the default retention: compliance (default) or governance", DefaultValueFactory = _ => "compliance" };
        var command = new Command("init", "Create a vault: data folder, TLS CA and certificate, one key per role, optional lock bucket")
        {
            data, credentials, bucket, hostnames, defaultRetention, mode,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var rule = ParseDefaultRetention(parse.GetValue(defaultRetention), parse.GetValue(mode)!);
            if (rule is not null && parse.GetValue(bucket) is null)
            {
                throw new ArgumentException("--default-retention needs --bucket: it is a rule of that bucket");
            }

            var result = await VaultInitializer.InitializeAsync(
                new InitOptions(parse.GetValue(data)!, parse.GetValue(credentials)!, parse.GetValue(bucket), parse.GetValue(hostnames) ?? []) { DefaultRetention = rule },
                TimeProvider.System,
                cancellationToken);
            Console.WriteLine($"vault created in {result.DataDirectory}");
            foreach (var (profile, id, roles) in result.Keys)
            {
                Console.WriteLine($"  [{profile}] {id} ({roles.ToString().ToLowerInvariant()})");
            }

            Console.WriteLine($"  keys written to {Path.GetFullPath(parse.GetValue(credentials)!)} (secrets only there)");
            if (result.Bucket is not null)
            {
                var ruleText = rule is null ? "no default retention" : $"default retention {parse.GetValue(defaultRetention)} {rule.Mode.ToString().ToLowerInvariant()}";
                Console.WriteLine($"  bucket {result.Bucket} (versioning and Object Lock enabled, {ruleText})");
            }

            Console.WriteLine($"  clients trust {result.CaCertificate} (AWS_CA_BUNDLE)");
            return 0;
        }));
        return command;
    }

    /// <summary>"30d" or "7y" (days or calendar years), as S3's DefaultRetention counts them.</summary>
    internal static DefaultRetention? ParseDefaultRetention(string? text, string mode)
    {
        if (text is null)
        {
            return null;
        }

        var lockMode = mode.ToLowerInvariant() switch
        {
            "compliance" => LockMode.Compliance,
            "governance" => LockMode.Governance,
            _ => throw new ArgumentException($"--mode '{mode}': use compliance or governance"),
        };
        if (text.Length < 2 || !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            throw new ArgumentException($"--default-retention '{text}': use a positive number of days or years, e.g. 30d or 1y");
        }

        return char.ToLowerInvariant(text[^1]) switch
        {
            'd' when amount <= 36500 => new DefaultRetention(lockMode, amount, null),
            'y' when amount <= 100 => new DefaultRetention(lockMode, null, amount),
            _ => throw new ArgumentException($"--default-retention '{text}': use days (1d..36500d) or years (1y..100y)"),
        };
    }
}
