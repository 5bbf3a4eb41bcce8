using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ztdr.Vault.Api;
using Ztdr.Vault.Management;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tls;

namespace Ztdr.Vault.Hosting;

/// <summary>
/// Builds the vault's web host: Kestrel with TLS 1.2+ (plain HTTP only when asked, and only on loopback), limits
/// fit for S3 (5 GiB bodies streamed, long presigned URLs), JSON console logs. Two planes on separate listeners: the S3
/// dispatcher on --listen, the management API on the Unix socket DIR/admin.sock (and on --admin-listen over TLS, signed
/// by an admin key). Requests are routed by the listener they arrived on, so neither plane ever sees the other's
/// requests. The host stops cleanly on SIGTERM.
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

        (IPAddress? Address, int Port)? admin = options.AdminListen is null ? null : ServeOptions.ParseListen(options.AdminListen, "--admin-listen");
        if (admin is not null && options.InsecureHttp)
        {
            throw new ArgumentException("--admin-listen serves key management and always needs TLS; it cannot be combined with --insecure-http (use the management socket instead)");
        }

        if (admin?.Port == port)
        {
            // Requests are routed to a plane by the port they arrived on, so the two listeners must not share one.
            throw new ArgumentException($"--admin-listen must use another port than --listen ({port})");
        }

        var layout = new VaultLayout(options.DataDirectory);
        if (!layout.IsInitialized)
        {
            throw new InvalidOperationException($"{layout.Root} is not a vault data folder (run 'ztdr-vault init --data {options.DataDirectory}' first)");
        }

        var adminSocket = ManagementSocket.PathFor(layout.Root);
        ManagementSocket.PrepareToBind(adminSocket);
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = false;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
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

            // No TLS on the socket: it never leaves the host, and the OS user who can open it is the authentication.
            kestrel.ListenUnixSocket(adminSocket, listen => listen.Protocols = HttpProtocols.Http1);
            if (admin is { Address: null } localAdmin)
            {
                kestrel.ListenLocalhost(localAdmin.Port, Configure);
            }
            else if (admin is { Address: { } adminAddress } remoteAdmin)
            {
                kestrel.Listen(adminAddress, remoteAdmin.Port, Configure);
            }
        });

        var app = builder.Build();
        var services = VaultServices.Open(options.DataDirectory, time, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ztdr.Vault"), options.ApprovalTtl);
        var vaultOptions = new VaultOptions
        {
            BaseDomains = options.Hostnames.Where(h => !IPAddress.TryParse(h, out _)).Append("localhost").Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
            KeyWriteRateBytesPerSecond = options.KeyWriteRateBytesPerSecond,
        };
        var dispatcher = services.CreateDispatcher(vaultOptions, time, app.Services.GetRequiredService<ILogger<S3Dispatcher>>());

        // One limiter for every listener, so a guesser gains nothing by switching between S3 and management.
        var management = new ManagementApi(services.Store, services.Limiter, time, app.Services.GetRequiredService<ILogger<ManagementApi>>(), services.Approvals, services.Clock, services.Health, services.Clock.RequestTimeWindow);
        app.Lifetime.ApplicationStarted.Register(() => services.StartScrub(time, app.Services.GetRequiredService<ILogger<Scrubbing.BackgroundScrub>>(), app.Lifetime.ApplicationStopping));
        app.Use((http, next) => PlaneOf(http, admin?.Port) switch
        {
            Plane.LocalManagement => management.InvokeLocalAsync(http),
            Plane.RemoteManagement => management.InvokeRemoteAsync(http),
            _ => next(http),
        });
        app.Run(dispatcher.InvokeAsync);
        app.Lifetime.ApplicationStarted.Register(() => ManagementSocket.Restrict(adminSocket));
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            File.Delete(adminSocket);
            services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        return app;
    }

    private enum Plane
    {
        S3,
        LocalManagement,
        RemoteManagement,
    }

    /// <summary>
    /// Which plane a request belongs to, from the listener it arrived on: the Unix socket has no IP address (and the
    /// S3 listener is never a Unix socket); the TCP management listener has its own port.
    /// </summary>
    private static Plane PlaneOf(HttpContext http, int? adminPort) =>
        http.Connection.LocalIpAddress is null ? Plane.LocalManagement
        : adminPort is { } p && http.Connection.LocalPort == p ? Plane.RemoteManagement
        : Plane.S3;
}
