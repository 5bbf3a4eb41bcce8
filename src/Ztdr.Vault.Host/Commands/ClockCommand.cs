using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ztdr.Vault.Management;

namespace Ztdr.Vault.Host.Commands;

/// <summary>
/// <c>clock trust</c>: requests that an untrusted clock (clock.json lost or unexplained) trust the vault's wall clock, or
/// --time, as true time again. A second admin key approves it (docs/approvals.md); until then retention never expires.
/// </summary>
internal static class ClockCommand
{
    public static Command Create()
    {
        var target = new ManagementTarget();
        var time = new Option<string?>("--time") { Description = "True time now, ISO 8601 (default: the vault's wall clock when the request arrives)" };
        var json = new Option<bool>("--json") { Description = "Print the pending approval as JSON" };
        var trust = new Command("trust", "Request restoring trust in the vault's clock (needs a second admin key's approval)") { time, json };
        target.AddTo(trust);
        trust.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            DateTimeOffset? proposed = parse.GetValue(time) is { } text
                ? DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : throw new ArgumentException($"--time '{text}' is not an ISO 8601 time")
                : null;
            using var vault = target.Connect(parse);
            var approval = await vault.TrustClockAsync(new TrustClockRequest(proposed), cancellationToken);
            Console.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(approval, ManagementJson.Default.ApprovalInfo)
                : $"pending approval {approval.ApprovalId}: trust {approval.Parameters.ProposedTime:O} as true time; a second admin key approves it ('ztdr-vault approvals approve {approval.ApprovalId}') before {KeysCommand.Format(approval.Expires)}");
            return 0;
        }));
        return new Command("clock", "The vault's trusted clock") { trust };
    }
}
