using System.CommandLine;
using System.Text.Json;
using Ztdr.Assess;
using Ztdr.Backup.Stores;
using Ztdr.Cli.Output;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr assess --endpoint URL --bucket B --profile P [--admin-profile A] [--json] [--report FILE]</c>: attacks a
/// storage target with the keys it is given and answers from evidence. Exit 0 only when no probe fails; 1 when one
/// does; 2 when the assessment could not run (bad input, unreachable endpoint, refused credentials, missing bucket).
/// </summary>
internal static class AssessCommand
{
    /// <remarks>No repository and no password: the target is named by --endpoint and --bucket, so the global options do not apply.</remarks>
    public static Command Create(CliContext context)
    {
        var endpoint = new Option<string?>("--endpoint") { Description = "S3 service URL, e.g. https://vault.example:9000 (default: $AWS_ENDPOINT_URL_S3, then $AWS_ENDPOINT_URL, then the profile's endpoint_url)" };
        var bucket = new Option<string>("--bucket") { Description = "Bucket to assess; canaries are written under ztdr-assess/<run id>/", Required = true };
        var profile = new Option<string?>("--profile") { Description = "Profile of the backup key (default: the AWS environment: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then $AWS_PROFILE, then \"default\")" };
        var adminProfile = new Option<string?>("--admin-profile") { Description = "Profile of an administrative key to assess as well" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var reportFile = new Option<string?>("--report") { Description = "Also write the report as Markdown to this file" };
        var command = new Command("assess", "Probe a storage target's posture: can these keys destroy or hide locked data?")
        {
            endpoint, bucket, profile, adminProfile, json, reportFile,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, async () =>
        {
            var chain = AwsCredentialChain.FromEnvironment(context.Variable);
            var endpointText = parse.GetValue(endpoint) ?? context.Variable("AWS_ENDPOINT_URL_S3") ?? context.Variable("AWS_ENDPOINT_URL") ?? chain.ConfigSetting("endpoint_url")
                ?? throw new CliException("give --endpoint, or set AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL");
            var url = ParseEndpoint(endpointText);
            var environment = S3StoreOptions.FromEnvironment(url, parse.GetValue(bucket)!, string.Empty, context.Variable);
            var options = new AssessOptions
            {
                Endpoint = url,
                Bucket = environment.Bucket,
                CredentialsFile = environment.CredentialsFile,
                Credentials = chain,
                Profile = parse.GetValue(profile),
                AdminProfile = parse.GetValue(adminProfile),
                CaBundle = environment.CaBundle,
                Region = environment.Region,
                ConnectTimeout = environment.ConnectTimeout,
            };
            AssessmentReport report;
            try
            {
                report = await Assessor.RunAsync(options, context.Time, cancellationToken);
            }
            catch (AssessException e)
            {
                throw new CliException(e.Message);
            }

            if (parse.GetValue(reportFile) is { } path)
            {
                // Written aside and moved into place: a failed write never leaves a half report under the real name.
                var partial = path + ".partial";
                await File.WriteAllTextAsync(partial, MarkdownReport.Write(report), cancellationToken);
                File.Move(partial, path, overwrite: true);
            }

            if (parse.GetValue(json))
            {
                await context.Out.WriteLineAsync(ToJson(report));
            }
            else
            {
                await WriteTextAsync(context, report);
            }

            return report.HasFailures ? CommandErrors.Failed : 0;
        }));
        return command;
    }

    internal static Uri ParseEndpoint(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) && url.AbsolutePath == "/"
            ? url
            : throw new CliException($"--endpoint '{text}': use the service URL, e.g. https://host:9000 (the bucket goes in --bucket)");

    /// <summary>Widest line of the text report: an assessment is pasted into tickets and mails, and read on laptops.</summary>
    internal const int MaxWidth = 100;

    /// <summary>
    /// One table per question, no line wider than <see cref="MaxWidth"/> (long evidence wraps in its column): drawn on
    /// a terminal, plain columns otherwise; then the verdict line.
    /// </summary>
    internal static async Task WriteTextAsync(CliContext context, AssessmentReport report)
    {
        string[] header = ["Probe", "Result", "Evidence", "Request"];
        foreach (var group in report.Results.GroupBy(r => r.Question).OrderBy(g => g.Key))
        {
            await context.Out.WriteLineAsync(AssessmentReport.Title(group.Key));
            var rows = group.Select(r => (IReadOnlyList<string>)[r.Probe, AssessmentReport.Text(r.Outcome), r.Note is null ? r.Evidence : $"{r.Evidence} ({r.Note})", r.Request]).ToList();
            if (SnapshotsCommand.IsTerminal(context))
            {
                SnapshotsCommand.WriteTerminalTable(context, header, rows, MaxWidth);
            }
            else
            {
                await PlainTable.WriteAsync(context.Out, header, rows, MaxWidth);
            }

            await context.Out.WriteLineAsync();
        }

        await context.Out.WriteLineAsync(
            $"{(report.HasFailures ? "FAIL" : "PASS")}: {report.Count(ProbeOutcome.Pass)} pass, {report.Count(ProbeOutcome.Fail)} fail, {report.Count(ProbeOutcome.NotApplicable)} not applicable (canaries under {report.CanaryPrefix})");
    }

    /// <summary>
    /// The report for scripts: field names camelCase like every other command's <c>--json</c>; enumerated values
    /// (question, result) lowercase-hyphenated like verify's finding kinds, derived from the enum names so a new
    /// question gets a name without a table to forget.
    /// </summary>
    internal static string ToJson(AssessmentReport report) => JsonSerializer.Serialize(
        new AssessJson(
            report.Endpoint.ToString(),
            report.Bucket,
            report.RunId,
            report.CanaryPrefix,
            report.StartedAt,
            !report.HasFailures,
            report.Count(ProbeOutcome.Pass),
            report.Count(ProbeOutcome.Fail),
            report.Count(ProbeOutcome.NotApplicable),
            [.. report.Results.Select(r => new ProbeJson(
                ValueName(r.Question.ToString()), r.Probe, ValueName(r.Outcome.ToString()), r.Request, r.Evidence, r.Note))]),
        CliJsonContext.Output.AssessJson);

    /// <summary>An enum member's name as a JSON value: <c>NotApplicable</c> → <c>not-applicable</c>.</summary>
    private static string ValueName(string member) => JsonNamingPolicy.KebabCaseLower.ConvertName(member);
}
