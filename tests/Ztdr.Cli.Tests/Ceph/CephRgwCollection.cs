using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Ceph;

/// <summary>
/// Every test against Ceph RGW shares one cluster: it takes 15-30 s to start, so one per test would blow the suite's
/// time budget. Tests in the collection run one after another and each works under its own key prefix.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CephRgwCollection : ICollectionFixture<CephRgwFixture>
{
    public const string Name = "Ceph RGW zone";
}

/// <summary>Starts the cluster before the collection's first test and stops it after the last.</summary>
public sealed class CephRgwFixture : IAsyncLifetime
{
    private CephRgwProcess? _rgw;

    public CephRgwProcess Rgw => _rgw ?? throw new InvalidOperationException("the Ceph RGW cluster is not running");

    public async Task InitializeAsync() => _rgw = await CephRgwProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_rgw is not null)
        {
            await _rgw.DisposeAsync();
        }
    }
}
