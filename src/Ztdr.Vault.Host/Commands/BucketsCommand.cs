using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ztdr.Vault.Management;

namespace Ztdr.Vault.Host.Commands;

/// <summary>
/// <c>buckets limits NAME [--max-retention 30d] [--quota 100GiB|none]</c>: shows a bucket's limits, or requests new ones.
/// A change needs a second admin key's approval; the maximum retention can only be lowered (docs/approvals.md).
/// </summary>
internal static class BucketsCommand
{
    public static Command Create()
    {
        var target = new ManagementTarget();
        var bucket = new Argument<string>("BUCKET") { Description = "The bucket" };
        var maxRetention = new Option<string?>("--max-retention") { Description = "New, lower maximum retention, e.g. 30d or 5y" };
        var quota = new Option<string?>("--quota") { Description = "New quota, e.g. 500GiB, or 'none'" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var limits = new Command("limits", "Show a bucket's limits, or request new ones (needs a second admin key's approval)") { bucket, maxRetention, quota, json };
        target.AddTo(limits);
        limits.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var name = parse.GetValue(bucket)!;
            using var vault = target.Connect(parse);
            var current = await vault.GetBucketLimitsAsync(name, cancellationToken);
            if (parse.GetValue(maxRetention) is null && parse.GetValue(quota) is null)
            {
                Console.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(current, ManagementJson.Default.BucketLimitsInfo)
                    : $"bucket {name}: maximum retention {current.MaxRetention ?? "none"}, {(current.WriteOnce ? "write-once names" : "names may get new versions")}, quota {current.QuotaBytes?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
                return 0;
            }

            var newQuota = parse.GetValue(quota) switch
            {
                null => current.QuotaBytes,
                "none" => null,
                var text => InitCommand.ParseBytes("--quota", text),
            };
            var approval = await vault.ChangeBucketLimitsAsync(name, new ChangeBucketLimitsRequest(parse.GetValue(maxRetention) ?? current.MaxRetention, newQuota), cancellationToken);
            Console.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(approval, ManagementJson.Default.ApprovalInfo)
                : $"pending approval {approval.ApprovalId}: bucket {name} limits {approval.Parameters.Summary()}; a second admin key approves it ('ztdr-vault approvals approve {approval.ApprovalId}')");
            return 0;
        }));
        return new Command("buckets", "Bucket settings of a running vault") { limits };
    }
}
