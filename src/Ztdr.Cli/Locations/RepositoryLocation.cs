using System.Net;
using Ztdr.Backup.Stores;

namespace Ztdr.Cli.Locations;

/// <summary>
/// Where a repository lives, as the user wrote it (<c>--repo</c> or <c>ZTDR_REPOSITORY</c>):
/// <c>s3:https://host[:port]/bucket[/prefix]</c>, or a plain folder path. Plain <c>http</c> is accepted only for a
/// loopback host, where no one can read or alter the traffic in between.
/// </summary>
internal abstract record RepositoryLocation
{
    public const string Variable = "ZTDR_REPOSITORY";

    private const string S3Scheme = "s3:";

    /// <summary>The <c>--repo</c> value if given, else <c>ZTDR_REPOSITORY</c>; one of them must be set.</summary>
    public static RepositoryLocation Resolve(string? repoOption, CliContext context) =>
        Parse(repoOption ?? context.Variable(Variable)
            ?? throw new CliException($"no repository given: use --repo or set {Variable} (s3:https://host:port/bucket or a folder path)"));

    public static RepositoryLocation Parse(string text)
    {
        if (text.Length == 0)
        {
            throw new CliException("the repository location is empty");
        }

        if (text.StartsWith(S3Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return S3Location.ParseUrl(text, text[S3Scheme.Length..]);
        }

        // A URL of any other kind is a mistake, not a folder named "https:".
        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new CliException($"repository '{text}': unknown kind; use s3:https://host:port/bucket[/prefix] or a folder path");
        }

        return new FolderLocation(Path.GetFullPath(text));
    }

    /// <summary>Creates the store; a caller disposes it when it is <see cref="IDisposable"/>.</summary>
    public abstract IObjectStore OpenStore(CliContext context);
}

/// <summary>A bucket (and optional key prefix) on an S3 endpoint; credentials, profile and CA from the AWS_* variables.</summary>
internal sealed record S3Location(Uri Endpoint, string Bucket, string Prefix) : RepositoryLocation
{
    public static S3Location ParseUrl(string original, string url)
    {
        var form = "use s3:https://host:port/bucket[/prefix]";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new CliException($"repository '{original}': not an http(s) URL after 's3:'; {form}");
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new CliException($"repository '{original}': no user, query or fragment in the URL (credentials come from AWS_SHARED_CREDENTIALS_FILE); {form}");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
        {
            throw new CliException($"repository '{original}': plain http is allowed only to a loopback address; use https");
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/', 2);
        if (segments[0].Length == 0)
        {
            throw new CliException($"repository '{original}': no bucket in the URL; {form}");
        }

        var prefix = segments.Length > 1 ? Uri.UnescapeDataString(segments[1]).TrimEnd('/') : string.Empty;
        if (prefix.Length > 0)
        {
            try
            {
                ObjectNames.ValidatePrefix(prefix + "/");
            }
            catch (ArgumentException e)
            {
                throw new CliException($"repository '{original}': the prefix '{prefix}' is not usable: {e.Message}");
            }
        }

        var endpoint = new Uri(uri.GetLeftPart(UriPartial.Authority));
        return new S3Location(endpoint, Uri.UnescapeDataString(segments[0]), prefix.Length > 0 ? prefix + "/" : string.Empty);
    }

    public override IObjectStore OpenStore(CliContext context) =>
        new S3ObjectStore(S3StoreOptions.FromEnvironment(Endpoint, Bucket, Prefix, context.Environment));

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));
}

/// <summary>A plain folder: works everywhere, but nothing stops anyone with access from deleting the backups.</summary>
internal sealed record FolderLocation(string Path) : RepositoryLocation
{
    public override IObjectStore OpenStore(CliContext context)
    {
        // One line, every time: a folder repository protects against nothing that can write to it.
        context.Error.WriteLine($"ztdr: warning: {Path} is a plain folder, NOT immutable: anyone who can write to it can delete or change the backups");
        return new LocalFolderStore(Path, context.Time);
    }
}
