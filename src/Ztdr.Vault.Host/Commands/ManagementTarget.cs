using System.CommandLine;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Management;

namespace Ztdr.Vault.Host.Commands;

/// <summary>
/// Which vault a management command talks to, and as whom: by default the Unix socket in --data, as the vault's OS
/// user; with --profile, signed by that admin key from the AWS shared-credentials file (AWS_SHARED_CREDENTIALS_FILE),
/// which sensitive operations and approvals need (docs/approvals.md). With --admin-endpoint, HTTPS signed with the admin
/// key of --profile or AWS_PROFILE (default 'admin'), trusting --ca-bundle or AWS_CA_BUNDLE.
/// </summary>
internal sealed class ManagementTarget
{
    private readonly Option<string?> _data = new("--data") { Description = "The vault's data folder (talks to its management socket DIR/admin.sock)" };
    private readonly Option<string?> _endpoint = new("--admin-endpoint") { Description = "https://HOST:PORT of a vault's --admin-listen, instead of --data" };
    private readonly Option<string?> _profile = new("--profile") { Description = "Admin key profile to sign with (needed on the socket for sensitive operations and approvals; for --admin-endpoint default AWS_PROFILE, then 'admin')" };
    private readonly Option<string?> _caBundle = new("--ca-bundle") { Description = "PEM CA for --admin-endpoint (default: AWS_CA_BUNDLE)" };

    public void AddTo(Command command)
    {
        command.Options.Add(_data);
        command.Options.Add(_endpoint);
        command.Options.Add(_profile);
        command.Options.Add(_caBundle);
    }

    public ManagementClient Connect(ParseResult parse)
    {
        var data = parse.GetValue(_data);
        var endpoint = parse.GetValue(_endpoint);
        if ((data is null) == (endpoint is null))
        {
            throw new ArgumentException("give either --data DIR (the vault on this host) or --admin-endpoint https://HOST:PORT");
        }

        if (data is not null)
        {
            return parse.GetValue(_profile) is { } socketProfile
                ? ManagementClient.ForSocket(data, Key(socketProfile), TimeProvider.System)
                : ManagementClient.ForSocket(data);
        }

        var profile = parse.GetValue(_profile) ?? Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "admin";
        var (id, secret) = Key(profile);
        var caBundle = parse.GetValue(_caBundle) ?? Environment.GetEnvironmentVariable("AWS_CA_BUNDLE");
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"--admin-endpoint '{endpoint}' is not https://HOST:PORT");
        }

        return ManagementClient.ForEndpoint(uri, id, secret, caBundle, TimeProvider.System);
    }

    private static (string AccessKeyId, string SecretAccessKey) Key(string profile)
    {
        var file = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "credentials");
        var entry = CredentialsFile.Read(file).FirstOrDefault(e => e.Profile == profile)
            ?? throw new ArgumentException($"no profile [{profile}] with a key in '{file}'; pass --profile, or set AWS_SHARED_CREDENTIALS_FILE");
        return (entry.AccessKeyId, entry.SecretAccessKey);
    }
}
