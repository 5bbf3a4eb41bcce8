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
        var maxRetention = new Option<string>("--max-retention") { Description = "Longest retention the bucket accepts, e.g. 3650d or 10y (default 10y); never raised later; lowering it takes two admin keys (ztdr-vault buckets limits)", DefaultValueFactory = _ => "10y" };
        var noWriteOnce = new Option<bool>("--no-write-once") { Description = "Let a name in the bucket get a new current version (S3's usual overwrite); by default names are write-once" };
        var quota = new Option<string?>("--quota") { Description = "Most bytes the bucket's versions may hold, e.g. 500GiB (none unless given)" };
        var backupKeyQuota = new Option<string?>("--backup-key-quota") { Description = "Most bytes the versions the backup key writes may hold, e.g. 200GiB (none unless given)" };
        var command = new Command("init", "Create a vault: data folder, TLS CA and certificate, one key per role, optional lock bucket")
        {
            data, credentials, bucket, hostnames, defaultRetention, mode, maxRetention, noWriteOnce, quota, backupKeyQuota,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var rule = ParseDefaultRetention(parse.GetValue(defaultRetention), parse.GetValue(mode)!);
            if (rule is not null && parse.GetValue(bucket) is null)
            {
                throw new ArgumentException("--default-retention needs --bucket: it is a rule of that bucket");
            }

            var limits = new BucketLimits(
                ParseMaxRetention(parse.GetValue(maxRetention)!),
                WriteOnce: !parse.GetValue(noWriteOnce),
                ParseBytes("--quota", parse.GetValue(quota)));
            var now = TimeProvider.System.GetUtcNow();
            if (rule is not null && LockEngine.ApplyDefault(rule, now)!.RetainUntil > limits.MaxRetention!.LatestFrom(now))
            {
                throw new ArgumentException($"--default-retention {parse.GetValue(defaultRetention)} is longer than --max-retention {limits.MaxRetention}");
            }

            var result = await VaultInitializer.InitializeAsync(
                new InitOptions(parse.GetValue(data)!, parse.GetValue(credentials)!, parse.GetValue(bucket), parse.GetValue(hostnames) ?? [])
                {
                    DefaultRetention = rule,
                    BucketLimits = limits,
                    BackupKeyQuotaBytes = ParseBytes("--backup-key-quota", parse.GetValue(backupKeyQuota)),
                },
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
                var quotaText = limits.QuotaBytes is { } q ? $"quota {q} bytes" : "no quota";
                Console.WriteLine($"  maximum retention {limits.MaxRetention}, {(limits.WriteOnce ? "write-once names" : "names may get new versions")}, {quotaText}");
            }

            Console.WriteLine($"  clients trust {result.CaCertificate} (AWS_CA_BUNDLE)");
            Console.WriteLine($"  audit checkpoints are signed by key {result.CheckpointKeyFingerprint}: copy {result.CheckpointPublicKey} off this host,");
            Console.WriteLine("    'audit verify --checkpoints FILE --public-key COPY' proves a rewritten audit chain only against that copy");
            return 0;
        }));
        return command;
    }

    /// <summary>"30d" or "10y", 1d..365000d or 1y..1000y: an operator may choose a bound longer than any retention it uses.</summary>
    internal static MaxRetention ParseMaxRetention(string text)
    {
        if (text.Length < 2 || !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            throw new ArgumentException($"--max-retention '{text}': use a positive number of days or years, e.g. 3650d or 10y");
        }

        return char.ToLowerInvariant(text[^1]) switch
        {
            'd' when amount <= 365000 => new MaxRetention(amount, null),
            'y' when amount <= 1000 => new MaxRetention(null, amount),
            _ => throw new ArgumentException($"--max-retention '{text}': use days (1d..365000d) or years (1y..1000y)"),
        };
    }

    /// <summary>A byte count: digits with an optional KiB, MiB, GiB or TiB suffix (powers of 1024). Null stays null.</summary>
    internal static long? ParseBytes(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        (string Suffix, int Shift)[] units = [("KiB", 10), ("MiB", 20), ("GiB", 30), ("TiB", 40)];
        var (digits, shift) = units.FirstOrDefault(u => text.EndsWith(u.Suffix, StringComparison.OrdinalIgnoreCase)) is { Suffix: not null } unit
            ? (text[..^unit.Suffix.Length], unit.Shift)
            : (text, 0);
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1 || amount > long.MaxValue >> shift)
        {
            throw new ArgumentException($"{option} '{text}': use a positive number of bytes, optionally with KiB, MiB, GiB or TiB, e.g. 500GiB");
        }

        return amount << shift;
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
