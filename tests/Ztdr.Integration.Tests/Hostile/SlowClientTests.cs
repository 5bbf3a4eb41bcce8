using System.Text;
using Ztdr.Testing;
using static Ztdr.Integration.Tests.Hostile.HostileVault;

namespace Ztdr.Integration.Tests.Hostile;

/// <summary>
/// Slow clients: heads drip-fed a byte at a time (slowloris) and bodies that stall. The vault drops them within its own
/// timeouts (Kestrel's request-headers timeout and minimum body data rate) and keeps serving everyone else meanwhile.
/// Kept apart from <see cref="HostileHttpTests"/> so its waits overlap other classes instead of adding to them.
/// </summary>
public sealed class SlowClientTests(HostileVault vault) : IClassFixture<HostileVault>
{
    private const int SlowConnections = 20;

    [Fact]
    public async Task Slowloris_HeadsDripFed_AreDroppedWhileOthersAreServed()
    {
        var connections = new List<RawConnection>();
        try
        {
            var drips = new List<Task<bool>>();
            for (var i = 0; i < SlowConnections; i++)
            {
                var connection = await RawConnection.OpenAsync(vault.Vault);
                connections.Add(connection);

                // A head that never ends: 120 bytes at one a second outlasts every vault timeout, but not the safety net.
                var head = Encoding.ASCII.GetBytes($"GET /{VaultProcess.DefaultBucket} HTTP/1.1\r\nHost: {vault.HostHeader}\r\nx-slow: " + new string('a', 120));
                drips.Add(connection.DripAsync(head, pieceSize: 1, pause: TimeSpan.FromSeconds(1)));
            }

            vault.Count(SlowConnections);

            // While every slow head is open, a normal client is served.
            await vault.AssertStillServesAsync();

            var completed = await Task.WhenAll(drips);
            Assert.True(completed.All(c => !c), $"{completed.Count(c => c)} of {SlowConnections} drip-fed heads were waited for to the end");
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        await vault.AssertStillServesAsync();
    }

    [Fact]
    public async Task Body_StallsAfterAFewBytes_IsDroppedAndNothingStored()
    {
        var target = $"/{VaultProcess.DefaultBucket}/{Marker}/stalled";
        var body = new byte[100_000];
        await using var connection = await RawConnection.OpenAsync(vault.Vault);
        await connection.SendAsync(RawConnection.Head("PUT", target, [.. vault.SignedHeaders("PUT", target, body), new("Content-Length", "100000")]));
        await connection.SendAsync(body.AsMemory(0, 1000));

        // Nothing more is sent: the vault must give up on its own (minimum body data rate), not wait for ever.
        var response = await connection.ReadResponseAsync();
        vault.Count();

        if (response is not null)
        {
            AssertCleanRefusal(response.Status, response.Text, "stalled body");
            Assert.InRange(response.Status, 400, 408);
        }
        else
        {
            Assert.True(await connection.IsClosedByVaultAsync());
        }

        Assert.Equal(404, (await vault.Raw.SendAsync("HEAD", target)).Status);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(vault.Vault.DataDirectory, "tmp")));
        await vault.AssertStillServesAsync();
    }
}
