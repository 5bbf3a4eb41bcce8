using System.CommandLine;
using System.Text.Json;
using Ztdr.Cli.Output;
using Ztdr.Cli.Zones;

namespace Ztdr.Cli.Commands;

/// <summary><c>ztdr zones list [--json]</c>: the named resilience zones of the zone file (<see cref="ZoneConfig"/>).</summary>
internal static class ZonesCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print the zones as a JSON array" };
        var list = new Command("list", "List the zones of the zone file") { json };
        list.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, async () =>
        {
            var config = ZoneConfig.Load(ZoneConfig.PathFor(parse.GetValue(global.Config), context));
            if (parse.GetValue(json))
            {
                await context.Out.WriteLineAsync(ToJson(config.Zones));
                return 0;
            }

            string[] header = ["Name", "Repository", "Profile", "Read profile", "Credentials", "CA bundle", "Password file", "Maintenance profile", "Off-site"];
            var rows = config.Zones
                .Select(z => (IReadOnlyList<string>)[z.Name, z.Endpoint.Repository, z.Endpoint.Profile ?? "", z.ReadProfile ?? "", z.Endpoint.CredentialsFile ?? "", z.Endpoint.CaBundle ?? "", z.Endpoint.PasswordFile ?? "", z.MaintenanceProfile ?? "", z.Offsite ? "yes" : "no"])
                .ToList();
            await PlainTable.WriteAsync(context.Out, header, rows);
            return 0;
        }));
        return new Command("zones", "Named resilience zones (other repositories to copy to)") { list };
    }

    internal static string ToJson(IReadOnlyList<Zone> zones) => JsonSerializer.Serialize(
        [.. zones.Select(z => new ZoneJson(
            z.Name,
            z.Endpoint.Repository,
            z.Endpoint.Profile,
            z.Endpoint.CredentialsFile,
            z.Endpoint.CaBundle,
            z.Endpoint.PasswordFile,
            z.ReadProfile,
            z.MaintenanceProfile,
            z.Offsite))],
        CliJsonContext.Output.IReadOnlyListZoneJson);
}
