using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ztdr.Vault.Api;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tls;

namespace Ztdr.Vault.Hosting;

/// <summary>
/// Builds the vault's web host: Kestrel with TLS 1.2+ (plain HTTP only when asked, and only on loopback), limits
/// fit for S3 (5 GiB bodies streamed, long presigned URLs), JSON console logs, and the S3 dispatcher as the only
/// request handler. The host stops cleanly on SIGTERM.
/// </summary>
public static class VaultServer
{
    /// <summary>Serves until <paramref name="cancellationToken"/> fires (SIGTERM), then drains and stops.</summary>
    public static async Task RunAsync(ServeOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var app = Build(options, time);
        await app.RunAsync(cancellationToken);
    }

    public static WebApplication Build(ServeOptions options, TimeProvider time, string[]? args = null)
    {
        var (address, port) = ServeOptions.ParseListen(options.Listen);
        if (options.InsecureHttp && address is not null && !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("--insecure-http is only allowed on a loopback address (127.0.0.1, [::1] or localhost): credentials and data would cross the network in clear text");
        }

        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = false;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var layout = new VaultLayout(options.DataDirectory);
        if (!layout.IsInitialized)
        {
            throw new InvalidOperationException($"{layout.Root} is not a vault data folder (run 'ztdr-vault init --data {options.DataDirectory}' first)");
        }

        builder.Services.AddSingleton(time);
        var certificate = options.InsecureHttp ? null : TlsBootstrap.LoadServerCertificate(layout.TlsDirectory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 200;
            void Configure(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http1;
                if (certificate is not null)
                {
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    });
                }
            }

            if (address is null)
            {
                kestrel.ListenLocalhost(port, Configure);
            }
            else
            {
                kestrel.Listen(address, port, Configure);
            }
        });

        var app = builder.Build();
        var services = VaultServices.Open(options.DataDirectory, time, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ztdr.Vault"));
        var vaultOptions = new VaultOptions
        {
            BaseDomains = options.Hostnames.Where(h => !IPAddress.TryParse(h, out _)).Append("localhost").Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
        };
        var dispatcher = services.CreateDispatcher(vaultOptions, time, app.Services.GetRequiredService<ILogger<S3Dispatcher>>());
        app.Run(dispatcher.InvokeAsync);
        app.Lifetime.ApplicationStopped.Register(() => services.DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }
}
