namespace Ztdr.Testing;

/// <summary>
/// The LazyFS binary the power-loss tests mount, built once per checkout into <c>artifacts/lazyfs/</c> by the shared
/// tools' <c>build.sh</c> (which installs its Debian build packages itself). Nothing here skips: no sources, no build or
/// no <c>/dev/fuse</c> is an exception with the reason and what to do, so CI fails loudly instead of passing untested.
/// </summary>
public static class LazyFsBuild
{
    /// <summary>Names the folder holding LazyFS's <c>build.sh</c> when it is not found beside the checkout.</summary>
    public const string SourceVariable = "ZTDR_LAZYFS_SOURCE";

    private static readonly SemaphoreSlim Building = new(1, 1);

    public static string OutputDirectory => Path.Combine(RepositoryPaths.Root, "artifacts", "lazyfs");

    /// <summary>The built <c>lazyfs</c> executable (its <c>libpcache.so</c> beside it); builds it on first use.</summary>
    public static async Task<string> EnsureBuiltAsync()
    {
        if (!File.Exists("/dev/fuse"))
        {
            throw new InvalidOperationException("FUSE is unavailable (/dev/fuse is missing): the power-loss tests need it; run CI with /dev/fuse and CAP_SYS_ADMIN (docker: --device /dev/fuse --cap-add SYS_ADMIN)");
        }

        var binary = Path.Combine(OutputDirectory, "lazyfs");
        await Building.WaitAsync();
        try
        {
            if (File.Exists(binary))
            {
                return binary;
            }

            var script = LocateBuildScript();
            var result = await ProcessRunner.RunAsync("bash", [script, OutputDirectory], timeout: TimeSpan.FromMinutes(15));
            if (result.ExitCode != 0 || !File.Exists(binary))
            {
                throw new InvalidOperationException($"building LazyFS with {script} failed: {result}");
            }

            return binary;
        }
        finally
        {
            Building.Release();
        }
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
