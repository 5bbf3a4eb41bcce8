using System.Globalization;

namespace Ztdr.Vault.Host;

/// <summary>
/// Opt-in memory sampling for soak runs: with <c>ZTDR_VAULT_DIAG=FILE</c> in its environment, <c>serve</c> appends one
/// CSV line a second splitting its memory into managed heap and SQLite's native allocations, so a growing resident set
/// can be attributed (bench/soak.sh reads the file). Off by default; never part of a normal vault's behaviour.
/// </summary>
internal static class MemoryDiagnostics
{
    public const string Variable = "ZTDR_VAULT_DIAG";

    /// <summary>The columns, in order; sizes in bytes.</summary>
    public const string Header = "unix_ms,gc_heap,gc_committed,gc_total_memory,gc_gen2_count,threadpool_threads,sqlite_used,sqlite_highwater";

    /// <summary>
    /// Starts sampling if the variable names a file; stops with <paramref name="stopping"/>. Samples are stamped with
    /// <paramref name="time"/>, the clock serve runs on, so the CSV lines up with the vault's own logs.
    /// </summary>
    public static void StartIfRequested(TimeProvider time, CancellationToken stopping)
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        _ = Task.Run(() => SampleAsync(path, time, stopping), CancellationToken.None);
    }

    private static async Task SampleAsync(string path, TimeProvider time, CancellationToken stopping)
    {
        // SqliteConnection's static constructor installs SQLite's native provider, which sqlite3_memory_used needs.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Microsoft.Data.Sqlite.SqliteConnection).TypeHandle);
        await using var writer = new StreamWriter(path, append: false) { AutoFlush = true };
        await writer.WriteLineAsync(Header);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            do
            {
                var gc = GC.GetGCMemoryInfo();
                await writer.WriteLineAsync(string.Join(
                    ',',
                    time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    gc.HeapSizeBytes.ToString(CultureInfo.InvariantCulture),
                    gc.TotalCommittedBytes.ToString(CultureInfo.InvariantCulture),
                    GC.GetTotalMemory(forceFullCollection: false).ToString(CultureInfo.InvariantCulture),
                    GC.CollectionCount(2).ToString(CultureInfo.InvariantCulture),
                    ThreadPool.ThreadCount.ToString(CultureInfo.InvariantCulture),
                    SQLitePCL.raw.sqlite3_memory_used().ToString(CultureInfo.InvariantCulture),
                    SQLitePCL.raw.sqlite3_memory_highwater(0).ToString(CultureInfo.InvariantCulture)));
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException)
        {
            // Serving stopped.
        }
    }
}
