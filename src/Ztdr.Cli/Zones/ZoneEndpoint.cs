using Ztdr.Backup.Stores;
using Ztdr.Cli.Locations;
using Ztdr.Cli.Passwords;
using BackupRepository = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Cli.Zones;

/// <summary>
/// A repository in another resilience zone, with everything needed to open it that the process environment holds for
/// the main repository: its own credentials file, profile, CA bundle and password file. One process talks to two
/// zones at once (<c>ztdr copy</c>), and AWS_SHARED_CREDENTIALS_FILE / AWS_PROFILE / AWS_CA_BUNDLE are one per process,
/// so the zone's values are laid over the environment for its store only.
/// </summary>
internal sealed record ZoneEndpoint(string Repository, string? CredentialsFile, string? Profile, string? CaBundle, string? PasswordFile)
{
    /// <summary>The context the zone's store and password are resolved in: the zone's settings over the process's.</summary>
    public CliContext ContextFor(CliContext context)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (CredentialsFile is not null)
        {
            overrides["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile;
        }

        if (Profile is not null)
        {
            // Chosen in the zone file: wins over AWS_ACCESS_KEY_ID in the environment, as `aws --profile` does.
            overrides[AwsCredentialChain.ChosenProfileKey] = Profile;
        }

        if (CaBundle is not null)
        {
            overrides["AWS_CA_BUNDLE"] = CaBundle;
        }

        // The main repository's password must never open (or be tried on) another zone's repository by accident.
        overrides[PasswordSource.FileVariable] = null;
        overrides[PasswordSource.PasswordVariable] = null;
        return context with { Environment = name => overrides.TryGetValue(name, out var value) ? value : context.Environment(name) };
    }

    /// <summary>Opens the zone's store and repository (read and write, as copy's target).</summary>
    public Task<(IObjectStore Store, BackupRepository Repository)> OpenAsync(CliContext context, CancellationToken cancellationToken) =>
        OpenAsync(context, new Backup.Repository.RepositoryOpenOptions(), cancellationToken);

    /// <summary>As <see cref="OpenAsync(CliContext, CancellationToken)"/>, with key hints.</summary>
    public async Task<(IObjectStore Store, BackupRepository Repository)> OpenAsync(CliContext context, Backup.Repository.RepositoryOpenOptions options, CancellationToken cancellationToken)
    {
        var zoneContext = ContextFor(context);
        var location = RepositoryLocation.Parse(Repository);
        var password = PasswordSource.Resolve(PasswordFile, zoneContext, confirm: false);
        var store = location.OpenStore(zoneContext);
        try
        {
            return (store, await BackupRepository.OpenAsync(store, password, options, context.Time, cancellationToken));
        }
        catch
        {
            (store as IDisposable)?.Dispose();
            throw;
        }
    }
}
