using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Management;

namespace Ztdr.Vault.Host.Commands;

/// <summary>
/// <c>keys create|list|revoke</c>: key administration through a running vault's management API. Secrets go from
/// the vault straight into a 0600 credentials file and are never printed.
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var target = new ManagementTarget();
        return new Command("keys", "Create, list and revoke access keys of a running vault")
        {
            CreateCommand(target),
            ListCommand(target),
            RevokeCommand(target),
        };
    }

    private static Command CreateCommand(ManagementTarget target)
    {
        var roles = new Option<string>("--role") { Description = "Roles, comma-separated: admin, backup, reader, maintenance", Required = true };
        var buckets = new Option<string>("--bucket") { Description = "Bucket the key may use, comma-separated, or '*' for every bucket", Required = true };
        var credentials = new Option<string>("--credentials-out") { Description = "AWS shared-credentials file that receives the key (0600)", Required = true };
        var profile = new Option<string>("--profile-name") { Description = "Profile name for the key in the credentials file (must be new)", Required = true };
        var quota = new Option<string?>("--quota") { Description = "Most bytes the versions this key writes may hold, e.g. 200GiB (none unless given)" };
        var command = new Command("create", "Create a key and append it to a credentials file; the secret is never printed") { roles, buckets, credentials, profile, quota };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var request = new CreateKeyRequest(
                RoleNames.Format(Permissions.ParseRoles(parse.GetValue(roles)!)),
                parse.GetValue(buckets)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                null,
                InitCommand.ParseBytes("--quota", parse.GetValue(quota)));
            var file = Path.GetFullPath(parse.GetValue(credentials)!);
            using var vault = target.Connect(parse);
            var key = await KeyIssuer.IssueAsync(vault, request, file, parse.GetValue(profile)!, cancellationToken);
            var quotaText = request.QuotaBytes is { } bytes ? $"; quota {bytes} bytes" : "";
            Console.WriteLine($"key {key.AccessKeyId} (roles {string.Join(',', key.Roles)}; buckets {string.Join(',', key.Buckets)}{quotaText}) written to {file} as profile [{parse.GetValue(profile)}]");
            if (key.ApprovalId is { } approvalId)
            {
                Console.WriteLine($"pending approval {approvalId}: the key works once a second admin key approves it ('ztdr-vault approvals approve {approvalId}')");
            }
            return 0;
        }));
        return command;
    }

    private static Command ListCommand(ManagementTarget target)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("list", "List every key with its roles and buckets (never a secret)") { json };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            using var vault = target.Connect(parse);
            var keys = await vault.ListKeysAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new KeyList(keys), ManagementJson.Default.KeyList));
                return 0;
            }

            string[][] rows =
            [
                ["ID", "ROLES", "BUCKETS", "CREATED", "REVOKED"],
                .. keys.Select(k => new[] { k.AccessKeyId, string.Join(',', k.Roles), string.Join(',', k.Buckets), Format(k.Created), k.Revoked is { } r ? Format(r) : "-" }),
            ];
            var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
            {
                Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            }

            return 0;
        }));
        return command;
    }

    private static Command RevokeCommand(ManagementTarget target)
    {
        var id = new Argument<string>("ID") { Description = "The access key id to revoke" };
        var command = new Command("revoke", "Revoke a key: requests signed with it fail from now on") { id };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            using var vault = target.Connect(parse);
            var key = await vault.RevokeKeyAsync(parse.GetValue(id)!, cancellationToken);
            Console.WriteLine(key.ApprovalId is { } approvalId
                ? $"revocation of admin key {key.AccessKeyId} is pending approval {approvalId}; a second admin key approves it ('ztdr-vault approvals approve {approvalId}')"
                : $"key {key.AccessKeyId} revoked at {Format(key.Revoked!.Value)}");
            return 0;
        }));
        return command;
    }

    internal static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
