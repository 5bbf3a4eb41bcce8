using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ztdr.Cli.Locations;
using Ztdr.Cli.Output;
using Ztdr.Cli.Passwords;
using BackupRepository = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Cli.Commands;

/// <summary><c>ztdr init --retention 30d</c>: a new repository whose every object is COMPLIANCE-locked.</summary>
internal static class InitCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var retention = new Option<string>("--retention")
        {
            Description = "How long every object stays locked after the run that writes it: e.g. 36h, 30d, 12w, 1y. "
                + "The lock end is rounded up to the next weekly lock generation (Unix time, 7-day steps), so each run's lock lasts "
                + "between the retention and the retention + 7 days: one extension call per pack per week instead of per backup, "
                + "at the cost of keeping data up to 7 days longer (30d can mean 37)",
            Required = true,
        };
        var json = new Option<bool>("--json") { Description = "Print the new repository as JSON" };
        var kdf = KdfOption.Create();
        var command = new Command("init", "Create a repository; refuses a location that already holds one") { retention, kdf, json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, async () =>
        {
            var retentionText = parse.GetValue(retention)!;
            var retentionSpan = ParseRetention(retentionText);
            var kdfParameters = KdfOption.Resolve(parse.GetValue(kdf), context);
            // With --zone, the zone's repository, credentials and password file; otherwise --repo and the environment.
            var zone = OpenRepository.Zone(global, parse, context);
            var storeContext = zone?.ContextFor(context) ?? context;
            var location = zone is null ? RepositoryLocation.Resolve(parse.GetValue(global.Repository), context) : RepositoryLocation.Parse(zone.Repository);
            var password = PasswordSource.Resolve(zone is null ? parse.GetValue(global.PasswordFile) : zone.PasswordFile, storeContext, confirm: true);
            var store = location.OpenStore(storeContext);
            try
            {
                using var repository = await BackupRepository.InitAsync(store, password, retentionSpan, context.Time, kdfParameters, cancellationToken: cancellationToken);
                if (parse.GetValue(json))
                {
                    await context.Out.WriteLineAsync(JsonSerializer.Serialize(
                        new InitJson(repository.Id.ToString(), store.Capabilities.Description, retentionText, (long)retentionSpan.TotalSeconds, repository.RunRetainUntil),
                        CliJsonContext.Output.InitJson));
                    return 0;
                }

                var lockedUntil = TimeText.Utc(repository.RunRetainUntil);
                await context.Out.WriteLineAsync($"created repository {repository.Id}");
                await context.Out.WriteLineAsync($"  at {store.Capabilities.Description}");
                var extra = TimeSpan.FromTicks(Math.Max(0, (repository.RunRetainUntil - (context.Time.GetUtcNow() + retentionSpan)).Ticks));
                await context.Out.WriteLineAsync($"  retention {retentionText}: its objects are locked (COMPLIANCE) until {lockedUntil}");
                await context.Out.WriteLineAsync(
                    $"  that is {Duration(extra)} longer than {retentionText}: locks end on weekly generation boundaries, so each run's lock lasts up to 7 days longer than the retention (see 'ztdr init --help')");

                await context.Out.WriteLineAsync("  keep the password safe: without it nobody, including you, can read these backups");
                return 0;
            }
            finally
            {
                (store as IDisposable)?.Dispose();
            }
        }));
        return command;
    }

    /// <summary>A positive whole number of hours (h), days (d), weeks (w) or 365-day years (y), up to 100 years.</summary>
    /// <summary>"2d 14h" or "5h 3m": how much longer a lock lasts than asked, for people.</summary>
    internal static string Duration(TimeSpan span) => span.TotalDays >= 1
        ? $"{(int)span.TotalDays}d {span.Hours}h"
        : $"{span.Hours}h {span.Minutes}m";

    internal static TimeSpan ParseRetention(string text)
    {
        var usage = $"--retention '{text}': use a positive number of hours, days, weeks or years, e.g. 30d or 1y";
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            throw new CliException(usage);
        }

        var span = char.ToLowerInvariant(text[^1]) switch
        {
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            'w' => TimeSpan.FromDays(7.0 * amount),
            'y' => TimeSpan.FromDays(365.0 * amount),
            _ => throw new CliException(usage),
        };
        return span <= TimeSpan.FromDays(36500) ? span : throw new CliException($"--retention '{text}': at most 100 years");
    }
}
