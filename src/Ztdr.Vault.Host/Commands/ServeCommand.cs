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
        var approvalTtl = new Option<string>("--approval-ttl") { Description = "How long a sensitive operation waits for a second admin key's approval, e.g. 24h, 90m, 2d", DefaultValueFactory = _ => "24h" };
        var writeRate = new Option<string?>("--key-write-rate") { Description = "Most new object bytes per second each access key may write, e.g. 100MiB (averaged, 10 s burst; default unlimited)" };
        var command = new Command("serve", "Serve the S3 API over HTTPS") { data, listen, insecure, hostnames, adminListen, approvalTtl, writeRate };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            MemoryDiagnostics.StartIfRequested(TimeProvider.System, cancellationToken);

            // System.CommandLine turns SIGTERM/SIGINT into this token; the host then drains requests and stops cleanly.
            await VaultServer.RunAsync(
                new ServeOptions(parse.GetValue(data)!, parse.GetValue(listen)!, parse.GetValue(insecure), parse.GetValue(hostnames) ?? [], parse.GetValue(adminListen), ParseDuration(parse.GetValue(approvalTtl)!)) { KeyWriteRateBytesPerSecond = InitCommand.ParseBytes("--key-write-rate", parse.GetValue(writeRate)) },
                TimeProvider.System,
                cancellationToken);
            return 0;
        }));
        return command;
    }

    /// <summary>"90m", "24h" or "2d": a positive whole number of minutes, hours or days.</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        if (text.Length >= 2 && int.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 'm':
                    return TimeSpan.FromMinutes(n);
                case 'h':
                    return TimeSpan.FromHours(n);
                case 'd':
                    return TimeSpan.FromDays(n);
            }
        }

        throw new ArgumentException($"--approval-ttl '{text}': use minutes, hours or days, e.g. 90m, 24h or 2d");
    }
}
