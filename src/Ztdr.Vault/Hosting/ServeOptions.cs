using System.Net;

namespace Ztdr.Vault.Hosting;

/// <summary>
/// What <c>ztdr-vault serve</c> was asked to do. <c>AdminListen</c> is HOST:PORT for the management API over TLS
/// (requests signed by an admin key), or null to serve it only on the Unix socket in the data folder.
/// <c>ApprovalTtl</c>: how long a sensitive request waits for a second admin key (null: 24 h, docs/approvals.md).
/// </summary>
public sealed record ServeOptions(string DataDirectory, string Listen, bool InsecureHttp, IReadOnlyList<string> Hostnames, string? AdminListen = null, TimeSpan? ApprovalTtl = null)
{
    /// <summary>Most new object bytes per second each access key may write; null: unlimited (<c>--key-write-rate</c>).</summary>
    public long? KeyWriteRateBytesPerSecond { get; init; }

    /// <summary>Parses HOST:PORT (IPv6 as [::1]:PORT); "localhost" means the loopback addresses.</summary>
    public static (IPAddress? Address, int Port) ParseListen(string listen, string option = "--listen")
    {
        var colon = listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(listen[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"{option} '{listen}' is not HOST:PORT (for example 127.0.0.1:9000)");
        }

        var host = listen[..colon].Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return (null, port);
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            throw new ArgumentException($"{option} '{listen}': '{host}' is not an IP address (use 0.0.0.0, 127.0.0.1, [::1] or localhost)");
        }

        return (address, port);
    }
}
