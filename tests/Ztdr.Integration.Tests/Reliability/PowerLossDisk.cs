using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Reliability;

/// <summary>
/// A vault whose data lives on LazyFS. LazyFS has no mknod, so the management socket cannot be bound on it: the data
/// folder stays on the real disk (admin.sock, vault.json and tls/, all written once at init) and its objects/, tmp/,
/// quarantine/, meta/ and audit/ are links into one LazyFS mount, so renames between them stay renames.
/// </summary>
internal sealed class PowerLossDisk : IAsyncDisposable
{
    private static readonly string[] Parts = ["objects", "tmp", "quarantine", "meta", "audit"];
    private readonly VaultProcess _vault;

    private PowerLossDisk(VaultProcess vault, LazyFsMount mount)
    {
        _vault = vault;
        Mount = mount;
    }

    public LazyFsMount Mount { get; }

    /// <summary>Stops the vault, moves its parts below a new LazyFS mount, links them in and restarts the vault.</summary>
    public static async Task<PowerLossDisk> MoveOntoAsync(VaultProcess vault)
    {
        Assert.Equal(0, await vault.StopAsync());
        var mount = await LazyFsMount.CreateAsync(vault.Root);
        var below = Path.Combine(mount.RootDirectory, "vault");
        Directory.CreateDirectory(below, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var part in Parts)
        {
            var inData = Path.Combine(vault.DataDirectory, part);
            if (Directory.Exists(inData))
            {
                Directory.Move(inData, Path.Combine(below, part));
            }
            else
            {
                Directory.CreateDirectory(Path.Combine(below, part), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            File.CreateSymbolicLink(inData, Path.Combine(mount.MountPoint, "vault", part));
        }

        var disk = new PowerLossDisk(vault, mount);
        await mount.MountAsync();
        await vault.RestartAsync();
        return disk;
    }

    /// <summary>After the power went (vault dead, cache cleared or LazyFS crashed): kill LazyFS, unmount, mount again.</summary>
    public async Task PowerCycleAsync()
    {
        await Mount.PowerOffAsync();
        await Mount.MountAsync();
    }

    /// <summary>
    /// DurableFile's temporary files in meta/ and audit/ now: read while the vault is down, these are what a cut left.
    /// A serving vault makes new ones for a moment at every head or clock update, each under a fresh random name.
    /// </summary>
    public IReadOnlySet<string> TemporaryFiles() =>
        new[] { "meta", "audit" }
            .SelectMany(part => Directory.EnumerateFiles(Path.Combine(_vault.DataDirectory, part), ".*.tmp"))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Small files are written to a temporary name, fsynced and renamed: a cut between leaves the temporary.</summary>
    public static void AssertRemoved(IReadOnlySet<string> leftByTheCut, string context)
    {
        var left = leftByTheCut.Where(File.Exists).ToList();
        Assert.True(left.Count == 0, $"{context}: temporary files the power cut left are still there after restart: {string.Join(", ", left.Select(Path.GetFileName))}");
    }

    public async ValueTask DisposeAsync()
    {
        _vault.KillHard();
        await Mount.DisposeAsync();
    }
}
