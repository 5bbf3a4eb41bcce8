using Amazon.S3;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>One served vault shared by the tests of a class (each test uses its own keys or buckets).</summary>
public sealed class VaultFixture : IAsyncLifetime
{
    private VaultProcess? _vault;

    public VaultProcess Vault => _vault ?? throw new InvalidOperationException("vault not started");

    public AmazonS3Client Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The API and compatibility tests check S3's own semantics, overwrite included: init's bucket without write-once
        // names (Attacks/WriteOnceNameAttackTests covers the default).
        _vault = await VaultProcess.StartAsync(initArguments: ["--no-write-once"]);
        Client = _vault.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_vault is not null)
        {
            await _vault.DisposeAsync();
        }
    }
}
