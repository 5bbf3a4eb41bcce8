using System.CommandLine;
using System.Text.Json;
using Ztdr.Vault.Management;

namespace Ztdr.Vault.Host.Commands;

/// <summary>
/// <c>approvals list|approve ID|reject ID</c>: four-eyes approval of sensitive operations (docs/approvals.md).
/// Approving and rejecting need --profile with an admin key other than the requester's.
/// </summary>
internal static class ApprovalsCommand
{
    public static Command Create()
    {
        var target = new ManagementTarget();
        return new Command("approvals", "List, approve and reject sensitive operations waiting for a second admin key")
        {
            ListCommand(target),
            DecideCommand(target, "approve", "Approve and execute an operation another admin key requested"),
            DecideCommand(target, "reject", "Reject a pending operation (the requester may withdraw its own)"),
        };
    }

    private static Command ListCommand(ManagementTarget target)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("list", "List approvals, pending and decided") { json };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            using var vault = target.Connect(parse);
            var approvals = await vault.ListApprovalsAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new ApprovalList(approvals), ManagementJson.Default.ApprovalList));
                return 0;
            }

            string[][] rows =
            [
                ["ID", "OPERATION", "STATE", "REQUESTER", "EXPIRES", "DECIDED BY", "PARAMETERS"],
                .. approvals.Select(a => new[]
                {
                    a.ApprovalId, a.Operation, a.State, a.Requester, KeysCommand.Format(a.Expires), a.DecidedBy ?? "-", a.Parameters.Summary(),
                }),
            ];
            var widths = Enumerable.Range(0, 7).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
            {
                Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            }

            return 0;
        }));
        return command;
    }

    private static Command DecideCommand(ManagementTarget target, string verb, string description)
    {
        var id = new Argument<string>("ID") { Description = "The approval id (from 'approvals list')" };
        var json = new Option<bool>("--json") { Description = "Print the decided approval as JSON" };
        var command = new Command(verb, description) { id, json };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            using var vault = target.Connect(parse);
            var approval = verb == "approve"
                ? await vault.ApproveAsync(parse.GetValue(id)!, cancellationToken)
                : await vault.RejectAsync(parse.GetValue(id)!, cancellationToken);
            Console.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(approval, ManagementJson.Default.ApprovalInfo)
                : $"approval {approval.ApprovalId} ({approval.Operation}) {approval.State} by {approval.DecidedBy}");
            return 0;
        }));
        return command;
    }
}
