using System.CommandLine;
using Ztdr.Vault.Hosting;

namespace Ztdr.Vault.Host.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The vault's data folder", Required = true };
        var listen = new Option<string>("--listen") { Description = "HOST:PORT for the S3 listener", DefaultValueFactory = _ => "127.0.0.1:9000" };
        var insecure = new Option<bool>("--insecure-http") { Description = "Serve plain HTTP instead of TLS (loopback addresses only)" };
        var hostnames = new Option<string[]>("--hostname") { Description = "Base domains for virtual-hosted bucket addressing (bucket.HOST)", AllowMultipleArgumentsPerToken = true };
        var adminListen = new Option<string?>("--admin-listen") { Description = "HOST:PORT for the management API over HTTPS, admin keys only (default: only the Unix socket DIR/admin.sock)" };
        var command = new Command("serve", "Serve the S3 API over HTTPS") { data, listen, insecure, hostnames, adminListen };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            MemoryDiagnostics.StartIfRequested(TimeProvider.System, cancellationToken);

            // System.CommandLine turns SIGTERM/SIGINT into this token; the host then drains requests and stops cleanly.
            await VaultServer.RunAsync(
                new ServeOptions(parse.GetValue(data)!, parse.GetValue(listen)!, parse.GetValue(insecure), parse.GetValue(hostnames) ?? [], parse.GetValue(adminListen)),
                TimeProvider.System,
                cancellationToken);
            return 0;
        }));
        return command;
    }
}
