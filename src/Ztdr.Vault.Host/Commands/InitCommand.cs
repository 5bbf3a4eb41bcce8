using System.CommandLine;
using Ztdr.Vault.Setup;

namespace Ztdr.Vault.Host.Commands;

internal static class InitCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The vault's data folder (created 0700; must be new or empty)", Required = true };
        var credentials = new Option<string>("--credentials-out") { Description = "AWS shared-credentials file that receives the new keys (0600)", Required = true };
        var bucket = new Option<string?>("--bucket") { Description = "Create this bucket, with versioning enabled" };
        var hostnames = new Option<string[]>("--hostname") { Description = "Extra DNS names or IPs for the server certificate (repeatable)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("init", "Create a vault: data folder, TLS CA and certificate, admin key, optional bucket") { data, credentials, bucket, hostnames };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var result = await VaultInitializer.InitializeAsync(
                new InitOptions(parse.GetValue(data)!, parse.GetValue(credentials)!, parse.GetValue(bucket), parse.GetValue(hostnames) ?? []),
                TimeProvider.System,
                cancellationToken);
            Console.WriteLine($"vault created in {result.DataDirectory}");
            Console.WriteLine($"  admin key {result.AdminAccessKeyId} written to {Path.GetFullPath(parse.GetValue(credentials)!)} as profile [admin]");
            if (result.Bucket is not null)
            {
                Console.WriteLine($"  bucket {result.Bucket} (versioning enabled)");
            }

            Console.WriteLine($"  clients trust {result.CaCertificate} (AWS_CA_BUNDLE)");
            return 0;
        }));
        return command;
    }
}
