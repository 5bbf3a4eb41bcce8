using System.Globalization;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>
/// A test class whose every test gets its own ztdr-vault process and scratch folder (xunit makes one instance per
/// test), and the environment of a ztdr process that uses a prefix of the vault's bucket.
/// </summary>
public abstract class VaultCliTest(string scratchName) : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    protected TemporaryDirectory Scratch { get; } = new(scratchName);

    protected VaultProcess Vault { get; private set; } = null!;

    public async Task InitializeAsync() => Vault = await VaultProcess.StartAsync(initArguments: InitArguments);

    /// <summary>Extra <c>ztdr-vault init</c> arguments; none by default, so the client meets init's defaults (write-once names).</summary>
    protected virtual IReadOnlyList<string> InitArguments => [];

    public async Task DisposeAsync()
    {
        await Vault.DisposeAsync();
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
