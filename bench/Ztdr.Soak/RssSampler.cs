using System.Globalization;

namespace Ztdr.Soak;

/// <summary>Samples the vault's resident memory (VmRSS in /proc/PID/status) once a second while the soak runs.</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly int _pid;
    private readonly List<long> _kib = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(int pid)
    {
        _pid = pid;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>One reading per second, in KiB, oldest first.</summary>
    public IReadOnlyList<long> Samples
    {
        get
        {
            lock (_kib)
            {
                return [.. _kib];
            }
        }
    }

    public void Stop()
    {
        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested)
        {
            Stop();
        }

        _stop.Dispose();
    }

    /// <summary>A field of /proc/PID/status in KiB (VmRSS, VmHWM).</summary>
    public static long ReadKib(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
            {
                var kib = ReadKib(_pid, "VmRSS");
                lock (_kib)
                {
                    _kib.Add(kib);
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
