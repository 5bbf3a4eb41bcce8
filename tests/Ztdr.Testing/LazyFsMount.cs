using System.Diagnostics;
using System.Text;

namespace Ztdr.Testing;

/// <summary>
/// A LazyFS mount (shared/tools/lazyfs/README.md): a FUSE file system over <see cref="RootDirectory"/> that keeps
/// written data in its own cache until fsync. Metadata (create, rename, unlink, mkdir) goes straight through to the
/// folder below, so LazyFS shows a missing fsync of a file, not of a folder. Power loss here is: drop the cache
/// (<c>lazyfs::clear-cache</c>, or a crash fault LazyFS fires itself at a syscall), SIGKILL the LazyFS process, lazy
/// unmount; <see cref="MountAsync"/> mounts again over what reached the disk. Needs root (mount, /dev/fuse).
/// </summary>
public sealed class LazyFsMount : IAsyncDisposable
{
    private const string Cleared = "cache is cleared";
    private readonly string _binary;
    private readonly string _config;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private LazyFsMount(string binary, string work)
    {
        _binary = binary;
        RootDirectory = Path.Combine(work, "lazyfs-root");
        MountPoint = Path.Combine(work, "lazyfs-mnt");
        FaultsFifo = Path.Combine(work, "lazyfs-faults.fifo");
        _config = Path.Combine(work, "lazyfs.toml");
        Directory.CreateDirectory(RootDirectory);
        Directory.CreateDirectory(MountPoint);

        // No eviction: this LazyFS's evicting path writes a dirty page to open(<inode number>), which fails, and drops the
        // page, so fsynced data went missing (a false loss in the first 100-round run; docs/reliability.md, 1b). A full
        // cache writes through to the disk instead, which only persists more than was fsynced. Reads are not cached,
        // so the 128 MiB (allocated at every mount, and every power cycle is a mount) hold one round's writes.
        File.WriteAllText(_config, $"""
            [faults]
            fifo_path="{FaultsFifo}"
            [cache]
            apply_eviction=false
            [cache.simple]
            custom_size="128mb"
            blocks_per_page=1
            [filesystem]
            log_all_operations=false
            logfile=""
            """);
    }

    /// <summary>The folder below: what survived the last power loss.</summary>
    public string RootDirectory { get; }

    public string MountPoint { get; }

    public string FaultsFifo { get; }

    /// <summary>True once the LazyFS process is gone: a crash fault fired (or it died).</summary>
    public bool HasCrashed => _process is { HasExited: true };

    /// <summary>Everything LazyFS printed since the last mount (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Builds LazyFS if needed and prepares a mount at <c>WORK/lazyfs-mnt</c> over <c>WORK/lazyfs-root</c>; fill the
    /// root, then <see cref="MountAsync"/>.
    /// </summary>
    public static async Task<LazyFsMount> CreateAsync(string workDirectory) => new(await LazyFsBuild.EnsureBuiltAsync(), workDirectory);

    /// <summary>Mounts (again, after <see cref="PowerOffAsync"/>) with an empty cache and no fault armed.</summary>
    public async Task MountAsync()
    {
        lock (_log)
        {
            _log.Clear();
        }

        var info = new ProcessStartInfo(_binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { MountPoint, "--config-path", _config, "-o", "modules=subdir", "-o", "subdir=" + RootDirectory, "-f" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["LD_LIBRARY_PATH"] = Path.GetDirectoryName(_binary)!;
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + _binary);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!IsMounted())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"LazyFS did not mount {MountPoint} (exited: {_process.HasExited}):\n{Log}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Drops every byte not fsynced (<c>lazyfs::clear-cache</c>) and returns once LazyFS says it is done.</summary>
    public async Task ClearCacheAsync()
    {
        var before = Count(Cleared);
        await SendAsync("lazyfs::clear-cache");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Count(Cleared) == before)
        {
            if (HasCrashed || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"LazyFS did not confirm clear-cache (exited: {HasCrashed}):\n{Log}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Arms a crash fault: LazyFS drops its cache and kills itself just before the first <paramref name="op"/> whose
    /// path matches (README, "Kill the filesystem"). Regexes may not contain "::" (the command separator).
    /// </summary>
    public Task ArmCrashAsync(string op, string? fromRegex = null, string? toRegex = null)
    {
        var command = $"lazyfs::crash::timing=before::op={op}";
        command += fromRegex is null ? string.Empty : "::from_rgx=" + fromRegex;
        command += toRegex is null ? string.Empty : "::to_rgx=" + toRegex;
        return SendAsync(command);
    }

    /// <summary>Polls until a crash fault fired or <paramref name="timeout"/> passed; true when it fired.</summary>
    public async Task<bool> WaitForCrashAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!HasCrashed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return HasCrashed;
    }

    /// <summary>
    /// The power goes: SIGKILL to LazyFS (its cache, and whatever reached it after a clear, dies with it) and a lazy
    /// unmount, so nothing unsynced is written below on the way out.
    /// </summary>
    public async Task PowerOffAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        if (IsMounted())
        {
            var umount = await ProcessRunner.RunAsync("umount", ["-l", MountPoint]);
            if (umount.ExitCode != 0)
            {
                throw new InvalidOperationException($"umount -l {MountPoint}: {umount}");
            }
        }
    }

    public async ValueTask DisposeAsync() => await PowerOffAsync();

    private bool IsMounted()
    {
        var target = " " + MountPoint + " ";
        return File.ReadLines("/proc/mounts").Any(line => line.Contains(target, StringComparison.Ordinal));
    }

    private async Task SendAsync(string command)
    {
        // LazyFS holds the FIFO open read-write, so opening it to write never blocks; each command ends with a newline.
        await using var fifo = new FileStream(FaultsFifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
        await fifo.WriteAsync(Encoding.ASCII.GetBytes(command + "\n"));
    }

    private int Count(string text)
    {
        var log = Log;
        var count = 0;
        for (var at = log.IndexOf(text, StringComparison.Ordinal); at >= 0; at = log.IndexOf(text, at + text.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
