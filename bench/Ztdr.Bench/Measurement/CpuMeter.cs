using System.Diagnostics;
using System.Globalization;

namespace Ztdr.Bench.Measurement;

/// <summary>CPU time of the vault process and of this (client) process at one instant.</summary>
internal readonly record struct CpuSnapshot(TimeSpan Vault, TimeSpan Client, long Timestamp);

/// <summary>
/// CPU used during the measured parts of a phase, in cores (CPU seconds per wall second). On a 2-core machine the
/// vault and the client share the cores, so vault + client close to 2 means the run is CPU-bound, not disk-bound.
/// </summary>
internal sealed class CpuUse
{
    private TimeSpan _vault;
    private TimeSpan _client;
    private TimeSpan _wall;

    public double VaultCores => _vault / _wall;

    public double ClientCores => _client / _wall;

    public void Add(CpuSnapshot start, CpuSnapshot end)
    {
        _vault += end.Vault - start.Vault;
        _client += end.Client - start.Client;
        _wall += Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp);
    }
}

/// <summary>Reads the CPU time of the served vault (the ztdr-vault child of this process) and of this process.</summary>
internal sealed class CpuMeter : IDisposable
{
    private readonly Process _vault;
    private readonly Process _self = Process.GetCurrentProcess();

    private CpuMeter(Process vault)
    {
        _vault = vault;
    }

    /// <summary>The ztdr-vault process this process started most recently, found through /proc parent ids.</summary>
    public static CpuMeter ForNewestVaultChild()
    {
        var self = Environment.ProcessId;
        var children = Process.GetProcessesByName("ztdr-vault").Where(p => ParentOf(p.Id) == self).ToList();
        var vault = children.Count > 0
            ? children.MaxBy(p => p.StartTime)!
            : throw new InvalidOperationException("no ztdr-vault child process to measure");
        foreach (var other in children.Where(p => p != vault))
        {
            other.Dispose();
        }

        return new CpuMeter(vault);
    }

    public CpuSnapshot Now()
    {
        _vault.Refresh();
        _self.Refresh();
        return new CpuSnapshot(_vault.TotalProcessorTime, _self.TotalProcessorTime, Stopwatch.GetTimestamp());
    }

    public void Dispose()
    {
        _vault.Dispose();
        _self.Dispose();
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
