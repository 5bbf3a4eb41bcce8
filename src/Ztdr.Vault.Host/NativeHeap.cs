using System.Runtime.InteropServices;

namespace Ztdr.Vault.Host;

/// <summary>
/// Caps glibc's malloc arenas at two before the vault starts threads. glibc gives threads new arenas (up to eight per
/// core) as the thread pool grows under load; each keeps its high-water mark of freed native memory (SQLite pages, TLS
/// buffers), so a 64-client soak saw the resident set creep up by tens of MiB for minutes as threads were added
/// (docs/reliability.md, section 4). Two arenas bound that and cost no measurable throughput there. The same as
/// MALLOC_ARENA_MAX=2, which an operator can still override to a larger value in the environment.
/// </summary>
internal static class NativeHeap
{
    /// <summary>glibc's M_ARENA_MAX parameter of mallopt (malloc.h).</summary>
    private const int ArenaMaxParameter = -8;

    private const int ArenaMax = 2;

    public static void LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return;
        }

        try
        {
            _ = NativeMethods.Mallopt(ArenaMaxParameter, ArenaMax);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): no per-thread arenas to cap.
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "mallopt")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Mallopt(int parameter, int value);
    }
}
