using Ztdr.Backup.Stores;
using Ztdr.Testing;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>One real ztdr-vault shared by a test class; each test works under its own key prefix.</summary>
public sealed class VaultFixture : IAsyncLifetime
{
    private VaultProcess? _vault;

    public VaultProcess Vault => _vault ?? throw new InvalidOperationException("vault not started");

    public async Task InitializeAsync() => _vault = await VaultProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_vault is not null)
        {
            await _vault.DisposeAsync();
        }
    }

    public S3ObjectStore CreateStore(string profile, string prefix, string bucket = VaultProcess.DefaultBucket) => new(new S3StoreOptions
    {
        Endpoint = new Uri(Vault.Endpoint),
        Bucket = bucket,
        Prefix = prefix,
        CredentialsFile = Vault.CredentialsFile,
        Profile = profile,
        CaBundle = Vault.CaBundle,
    });
}
