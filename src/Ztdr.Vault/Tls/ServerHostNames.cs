using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Ztdr.Vault.Tls;

/// <summary>
/// The names a server certificate answers to: always localhost, 127.0.0.1 and ::1, plus the
/// operator's host names and addresses, checked and normalised so that a typo fails at
/// <c>init</c> rather than as a handshake error on every client.
/// </summary>
internal sealed class ServerHostNames
{
    private static readonly string[] AlwaysIncluded = ["localhost", "127.0.0.1", "::1"];

    private readonly List<string> _dnsNames = [];
    private readonly List<IPAddress> _addresses = [];

    private ServerHostNames()
    {
    }

    /// <summary>
    /// DNS names, each with at least two labels followed by its wildcard (<c>*.name</c>) so
    /// virtual-host-style bucket addressing works.
    /// </summary>
    public IReadOnlyList<string> DnsNames => _dnsNames;

    public IReadOnlyList<IPAddress> Addresses => _addresses;

    /// <exception cref="ArgumentException">A value is neither a valid host name nor an IP address.</exception>
    public static ServerHostNames Parse(IEnumerable<string> extraHosts)
    {
        var names = new ServerHostNames();
        foreach (var value in AlwaysIncluded.Concat(extraHosts))
        {
            names.Add(value);
        }

        return names;
    }

    public X509Extension ToExtension()
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (var name in _dnsNames)
        {
            builder.AddDnsName(name);
        }

        foreach (var address in _addresses)
        {
            builder.AddIpAddress(address);
        }

        return builder.Build(critical: false);
    }

    private void Add(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var host = value.Trim();
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            AddAddress(ParseIPv6(value, host));
        }
        else if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            AddAddress(ParseIPv4(value, host));
        }
        else
        {
            var name = NormaliseDnsName(value, host);
            AddDnsName(name);
            // A wildcard covers one label only: bucket.host works, a bucket name with dots does not (the same
            // limit as on AWS; such clients use path-style addressing). Clients refuse a wildcard over a single
            // label (OpenSSL rejects *.localhost), so a single-label name gets none rather than a useless one.
            if (!name.StartsWith("*.", StringComparison.Ordinal) && name.Contains('.', StringComparison.Ordinal))
            {
                AddDnsName("*." + name);
            }
        }
    }

    private void AddDnsName(string name)
    {
        if (!_dnsNames.Contains(name, StringComparer.Ordinal))
        {
            _dnsNames.Add(name);
        }
    }

    private void AddAddress(IPAddress address)
    {
        if (!_addresses.Contains(address))
        {
            _addresses.Add(address);
        }
    }

    private static IPAddress ParseIPv6(string value, string host)
    {
        if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw Invalid(value, "it looks like an IPv6 address but does not parse as one");
        }

        if (address.ScopeId != 0)
        {
            throw Invalid(value, "a certificate cannot name a zone index (%...); give the address without it");
        }

        return address;
    }

    private static IPAddress ParseIPv4(string value, string host)
    {
        // IPAddress.TryParse accepts "127.1" and "2130706433"; a certificate should hold exactly what the operator meant.
        if (!IPAddress.TryParse(host, out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || !string.Equals(address.ToString(), host, StringComparison.Ordinal))
        {
            throw Invalid(value, "write IPv4 addresses as four decimal numbers, for example 192.0.2.10");
        }

        return address;
    }

    private static string NormaliseDnsName(string value, string host)
    {
        // DNS is case-insensitive and a trailing dot only marks the name as absolute.
        var name = host.TrimEnd('.').ToLowerInvariant();
        var labels = name.Split('.');
        if (name.Length is 0 or > 253)
        {
            throw Invalid(value, "a host name has 1 to 253 characters");
        }

        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (i == 0 && label == "*" && labels.Length > 1)
            {
                continue;
            }

            if (label.Length is 0 or > 63
                || label.StartsWith('-')
                || label.EndsWith('-')
                || !label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                throw Invalid(value, string.Create(CultureInfo.InvariantCulture,
                    $"label '{label}' must be 1 to 63 letters, digits or inner hyphens (internationalised names go in their xn-- form)"));
            }
        }

        return name;
    }

    private static ArgumentException Invalid(string value, string reason) =>
        new($"'{value}' is not a host name or IP address a certificate can name: {reason}.");
}
