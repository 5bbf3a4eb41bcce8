using System.Security.Cryptography;
using System.Text;

namespace Ztdr.Testing;

/// <summary>
/// The LazyFS binary the power-loss tests mount, built by the shared tools' <c>build.sh</c> (which installs its Debian
/// build packages itself) into a per-user cache named by the hash of the sources, so a fresh clone on the same machine
/// (what CI runs) reuses the binary instead of spending a minute of the suite's two cores compiling the same C++ again,
/// and changed sources never reuse a stale binary. Nothing here skips: no sources, no build or no <c>/dev/fuse</c> is
/// an exception with the reason and what to do, so CI fails loudly instead of passing untested.
/// </summary>
public static class LazyFsBuild
{
    /// <summary>Names the folder holding LazyFS's <c>build.sh</c> when it is not found beside the checkout.</summary>
    public const string SourceVariable = "ZTDR_LAZYFS_SOURCE";

    private static readonly SemaphoreSlim Building = new(1, 1);

    /// <summary>Overrides the cache folder (default <c>$XDG_CACHE_HOME/ztdr</c>, else <c>~/.cache/ztdr</c>).</summary>
    public const string CacheVariable = "ZTDR_CACHE_DIR";

    /// <summary>The built <c>lazyfs</c> executable (its <c>libpcache.so</c> beside it); builds it on first use.</summary>
    public static async Task<string> EnsureBuiltAsync()
    {
        if (!File.Exists("/dev/fuse"))
        {
            throw new InvalidOperationException("FUSE is unavailable (/dev/fuse is missing): the power-loss tests need it; run CI with /dev/fuse and CAP_SYS_ADMIN (docker: --device /dev/fuse --cap-add SYS_ADMIN)");
        }

        await Building.WaitAsync();
        try
        {
            var script = LocateBuildScript();
            var output = OutputDirectoryFor(script);
            var binary = Path.Combine(output, "lazyfs");
            if (File.Exists(binary))
            {
                return binary;
            }

            // Built beside the final folder and renamed into place: a run killed mid-build, or a second checkout
            // building at the same time, never leaves a half-built folder under the final name.
            var building = $"{output}.building-{Environment.ProcessId}";
            var result = await ProcessRunner.RunAsync("bash", [script, building], timeout: TimeSpan.FromMinutes(15));
            if (result.ExitCode != 0 || !File.Exists(Path.Combine(building, "lazyfs")))
            {
                throw new InvalidOperationException($"building LazyFS with {script} failed: {result}");
            }

            try
            {
                Directory.Move(building, output);
            }
            catch (IOException) when (File.Exists(binary))
            {
                // Another checkout finished the same sources first; its binary is the same build.
                Directory.Delete(building, recursive: true);
            }

            return binary;
        }
        finally
        {
            Building.Release();
        }
    }

    /// <summary>The cache folder for the sources beside <paramref name="buildScript"/>: named by their SHA-256.</summary>
    public static string OutputDirectoryFor(string buildScript)
    {
        var sources = Path.GetDirectoryName(Path.GetFullPath(buildScript))!;
        return Path.Combine(CacheRoot(), "lazyfs-" + SourceHash(sources)[..16]);
    }

    private static string CacheRoot()
    {
        if (Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        return xdg is { Length: > 0 }
            ? Path.Combine(xdg, "ztdr")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ztdr");
    }

    // Every source file's relative path and bytes, in ordinal order; build outputs a manual build.sh run leaves beside
    // the sources (build-out/, build/) are not sources.
    private static string SourceHash(string sources)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.EnumerateFiles(sources, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(sources, f))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "build-out" or "build"))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file + "\0"));
            hash.AppendData(File.ReadAllBytes(Path.Combine(sources, file)));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The project refers to the shared tools as <c>../shared</c> from the main checkout; a worktree or a CI clone sits
    /// elsewhere, so every folder above the checkout is tried for <c>shared/tools/lazyfs/build.sh</c>, after
    /// <see cref="SourceVariable"/>, and last the copy in <c>third_party/lazyfs</c>.
    /// </summary>
    public static string LocateBuildScript()
    {
        var tried = new List<string>();
        if (Environment.GetEnvironmentVariable(SourceVariable) is { Length: > 0 } configured)
        {
            var script = configured.EndsWith(".sh", StringComparison.Ordinal) ? configured : Path.Combine(configured, "build.sh");
            return File.Exists(script) ? script : throw new InvalidOperationException($"{SourceVariable}={configured}, but {script} does not exist");
        }

        for (var directory = new DirectoryInfo(RepositoryPaths.Root).Parent; directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "shared", "tools", "lazyfs", "build.sh");
            tried.Add(script);
            if (File.Exists(script))
            {
                return script;
            }
        }

        // A clone with no shared tools above it (CI's fresh clone in a temporary folder) uses the copy it carries.
        var vendored = Path.Combine(RepositoryPaths.Root, "third_party", "lazyfs", "build.sh");
        tried.Add(vendored);
        if (File.Exists(vendored))
        {
            return vendored;
        }

        throw new InvalidOperationException($"LazyFS sources not found (tried {string.Join(", ", tried)}); set {SourceVariable} to the folder holding LazyFS's build.sh (../shared/tools/lazyfs from the main checkout)");
    }
}
