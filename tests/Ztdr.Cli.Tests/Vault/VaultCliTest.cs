using System.Globalization;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>
/// A test class whose every test gets its own scratch folder (xunit makes one instance per test) and either its own
/// ztdr-vault process or, given a <see cref="SharedVault"/> class fixture, the class's one vault; and the environment
/// of a ztdr process that uses a prefix of the vault's bucket.
/// </summary>
/// <remarks>
/// A class shares its vault only when its tests change nothing but their own prefixes (and buckets of their own
/// names): a vault start is three processes, seconds of the suite's two cores, and most classes never touch the vault
/// itself. Tests that kill, restart, fill or reconfigure the vault keep their own.
/// </remarks>
public abstract class VaultCliTest(string scratchName, SharedVault? shared = null) : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    protected TemporaryDirectory Scratch { get; } = new(scratchName);

    protected VaultProcess Vault { get; private set; } = null!;

    public async Task InitializeAsync() => Vault = shared?.Vault ?? await VaultProcess.StartAsync(initArguments: InitArguments);

    /// <summary>Extra <c>ztdr-vault init</c> arguments; none by default, so the client meets init's defaults (write-once names).</summary>
    protected virtual IReadOnlyList<string> InitArguments => [];

    public async Task DisposeAsync()
    {
        if (shared is null)
        {
            await Vault.DisposeAsync();
        }

        Scratch.Dispose();
    }

    /// <summary>The environment of a ztdr process using <paramref name="prefix"/> in <paramref name="vault"/>'s bucket with <paramref name="profile"/>.</summary>
    public static Dictionary<string, string> EnvironmentFor(VaultProcess vault, string prefix, string profile = "backup") => new()
    {
        ["ZTDR_REPOSITORY"] = string.Format(CultureInfo.InvariantCulture, "s3:https://127.0.0.1:{0}/{1}/{2}", vault.Port, VaultProcess.DefaultBucket, prefix),
        ["ZTDR_PASSWORD"] = Password,
        ["AWS_SHARED_CREDENTIALS_FILE"] = vault.CredentialsFile,
        ["AWS_PROFILE"] = profile,
        ["AWS_CA_BUNDLE"] = vault.CaBundle,
    };
}

/// <summary>One ztdr-vault for every test of a class (an xunit class fixture), started with init's defaults.</summary>
public sealed class SharedVault : IAsyncLifetime
{
    public VaultProcess Vault { get; private set; } = null!;

    public async Task InitializeAsync() => Vault = await VaultProcess.StartAsync();

    public async Task DisposeAsync() => await Vault.DisposeAsync();
}
