using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace Ztdr.Backup.Stores;

/// <summary>
/// Where the keys an S3 client signs with come from, in the AWS SDK's and CLI's order:
/// <list type="number">
/// <item>a profile ztdr's own settings chose (a zone's <c>profile</c>, <c>--maintenance-profile</c>, <c>assess
/// --profile</c>), like <c>aws --profile</c>;</item>
/// <item><c>AWS_ACCESS_KEY_ID</c> and <c>AWS_SECRET_ACCESS_KEY</c> (with <c>AWS_SESSION_TOKEN</c>), which win over
/// <c>AWS_PROFILE</c> as in every AWS SDK;</item>
/// <item>the profile <c>AWS_PROFILE</c> names (else <c>default</c>) in the shared credentials file or the shared config
/// file (<c>AWS_CONFIG_FILE</c>), resolved by the SDK: static keys, <c>role_arn</c>, <c>credential_process</c>, SSO;</item>
/// <item>without <c>AWS_PROFILE</c> and without a <c>default</c> profile, the SDK's remaining sources: web identity
/// (<c>AWS_WEB_IDENTITY_TOKEN_FILE</c>), container and instance credentials.</item>
/// </list>
/// A profile that was named but does not exist is an error that lists the profiles that do: a typo must never fall
/// through to other credentials.
/// </summary>
public sealed record AwsCredentialChain
{
    /// <summary>
    /// The override key through which ztdr's own settings choose a profile (not an environment variable: the dot keeps
    /// it from ever meaning one), so that the choice wins over environment keys, which <c>AWS_PROFILE</c> does not.
    /// </summary>
    public const string ChosenProfileKey = "ztdr.profile";

    public required string CredentialsFile { get; init; }

    /// <summary>The shared config file (<c>AWS_CONFIG_FILE</c>, default ~/.aws/config).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>The profile to use when no environment keys apply, and whether it was named rather than defaulted.</summary>
    public string Profile { get; init; } = "default";

    /// <summary>Chosen by ztdr's settings (<see cref="ChosenProfileKey"/>): wins over environment keys.</summary>
    public bool ProfileChosen { get; init; }

    /// <summary>Named by <c>AWS_PROFILE</c>: a missing one is an error, not a fall-through to instance credentials.</summary>
    public bool ProfileNamed { get; init; }

    public string? AccessKeyId { get; init; }

    public string? SecretAccessKey { get; init; }

    public string? SessionToken { get; init; }

    /// <summary>The chain as the AWS variables describe it; <paramref name="chosenProfile"/> overrides as <see cref="ChosenProfileKey"/> does.</summary>
    public static AwsCredentialChain FromEnvironment(Func<string, string?> environment, string? chosenProfile = null)
    {
        string? Get(string name) => environment(name) is { Length: > 0 } value ? value : null;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var chosen = chosenProfile ?? Get(ChosenProfileKey);
        return new AwsCredentialChain
        {
            CredentialsFile = Get("AWS_SHARED_CREDENTIALS_FILE") ?? Path.Combine(home, ".aws", "credentials"),
            ConfigFile = Get("AWS_CONFIG_FILE") ?? Path.Combine(home, ".aws", "config"),
            Profile = chosen ?? Get("AWS_PROFILE") ?? "default",
            ProfileChosen = chosen is not null,
            ProfileNamed = chosen is not null || Get("AWS_PROFILE") is not null,
            AccessKeyId = Get("AWS_ACCESS_KEY_ID"),
            SecretAccessKey = Get("AWS_SECRET_ACCESS_KEY"),
            SessionToken = Get("AWS_SESSION_TOKEN"),
        };
    }

    /// <summary>The credentials, or <see cref="ObjectStoreException"/> (access denied) naming what to set.</summary>
    public AWSCredentials Resolve()
    {
        if (!ProfileChosen && AccessKeyId is not null && SecretAccessKey is not null)
        {
            return SessionToken is null ? new BasicAWSCredentials(AccessKeyId, SecretAccessKey) : new SessionAWSCredentials(AccessKeyId, SecretAccessKey, SessionToken);
        }

        if (!ProfileChosen && (AccessKeyId is null) != (SecretAccessKey is null))
        {
            throw Denied($"{(AccessKeyId is null ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID")} is set without {(AccessKeyId is null ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY")}; set both, or neither to use a profile");
        }

        var files = OpenFiles();
        if (files is not null && files.TryGetProfile(Profile, out var profile))
        {
            return AWSCredentialsFactory.TryGetAWSCredentials(profile, files, out var credentials)
                ? credentials
                : throw Denied($"profile [{Profile}] in '{CredentialsFile}' holds no usable credentials");
        }

        if (ProfileNamed)
        {
            var names = files?.ListProfileNames() ?? [];
            var known = names.Count == 0 ? "no profiles exist there" : $"it has {string.Join(", ", names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(n => $"[{n}]"))}";
            throw Denied($"no profile [{Profile}] in '{CredentialsFile}' or '{ConfigFile}' ({known}); check the profile's name");
        }

        try
        {
            // Web identity, container and instance credentials: only the SDK knows how to reach them.
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException e)
        {
            throw Denied($"no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in '{CredentialsFile}' ({e.Message.Split('\n')[0].TrimEnd('.')})", e);
        }
    }

    /// <summary>A setting of the profile in the shared config file (<c>ca_bundle</c>, <c>endpoint_url</c>), or null.</summary>
    public string? ConfigSetting(string name) => ConfigFile is null ? null : AwsConfigFile.Get(ConfigFile, Profile, name);

    private SharedCredentialsFile? OpenFiles()
    {
        if (!File.Exists(CredentialsFile) && (ConfigFile is null || !File.Exists(ConfigFile)))
        {
            return null;
        }

        // The SDK reads the config file named by AWS_CONFIG_FILE in the process environment, the one ConfigFile names.
        return new SharedCredentialsFile(CredentialsFile);
    }

    private static ObjectStoreException Denied(string message, Exception? inner = null) =>
        new(StoreErrorKind.AccessDenied, message, inner);
}
