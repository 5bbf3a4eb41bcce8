using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Ztdr.Bench;
using Ztdr.Bench.Baselines;
using Ztdr.Bench.Measurement;
using Ztdr.Bench.Scenarios;
using Ztdr.Testing;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var total = Stopwatch.StartNew();
var large = RandomNumberGenerator.GetBytes(options.LargeMiB * 1024 * 1024);
var small = RandomNumberGenerator.GetBytes(options.SmallKiB * 1024);
var largeName = $"{options.LargeMiB} MiB";
var smallName = $"{options.SmallKiB} KiB ×{options.Clients}";
var results = new List<Result>();
string filesystem;

await using (var vault = await VaultProcess.StartAsync())
{
    // The vault's temp root holds its data folder, so this folder is on the same filesystem.
    var baselineRoot = Path.Combine(vault.Root, "baseline");
    filesystem = new DriveInfo(vault.DataDirectory).DriveFormat;
    Console.Error.WriteLine($"disk baseline in {baselineRoot} ({filesystem})");
    var disk = new DiskBaseline(baselineRoot);
    results.Add(new Result($"write {largeName} + fsync", "disk", disk.SequentialWrite(large, options.Warmup, options.LargeRounds)));
    var (createRate, createLatency) = await disk.DurableCreatesAsync(small, options.Clients, options);
    results.Add(new Result($"create+write {options.SmallKiB} KiB+fsync+rename+fsync-dir ×{options.Clients}", "disk", createRate, createLatency));
    var (appendRate, appendLatency) = await disk.SerialAppendsAsync(small, options);
    results.Add(new Result($"append {options.SmallKiB} KiB+fsync ×1", "disk", appendRate, appendLatency));
    var (commitRate, commitLatency) = await SqliteCommitBaseline.RunAsync(Path.Combine(baselineRoot, "sqlite"), options);
    results.Add(new Result("SQLite WAL synchronous=FULL commit ×1", "disk", commitRate, commitLatency));

    results.AddRange(await MeasureVaultAsync(vault, "vault HTTPS", options));
}

if (options.CompareHttp)
{
    await using var vault = await VaultProcess.StartAsync(insecureHttp: true);
    results.AddRange(await MeasureVaultAsync(vault, "vault HTTP", options));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, vault data on {filesystem}; .NET {Environment.Version}; run took {total.Elapsed.TotalSeconds:F0} s."));
Console.WriteLine();
Console.WriteLine(MarkdownReport.Results(results));
Console.WriteLine(MarkdownReport.Ratios(Ratios()));
return 0;

async Task<IEnumerable<Result>> MeasureVaultAsync(VaultProcess vault, string target, BenchOptions o)
{
    Console.Error.WriteLine($"{target} at {vault.Endpoint}");
    using var cpu = CpuMeter.ForNewestVaultChild();
    using var client = vault.CreateClient();
    var (put, putCpu, get, getCpu) = await new LargeObjectThroughput(client, VaultProcess.DefaultBucket, large, cpu).RunAsync(target, o.Warmup, o.LargeRounds);

    var clients = Enumerable.Range(0, o.Clients).Select(_ => vault.CreateClient()).ToList();
    try
    {
        var (putRate, putLatency, smallPutCpu, getRate, getLatency, smallGetCpu) = await new SmallObjectRate(clients, VaultProcess.DefaultBucket, small, cpu).RunAsync(target, o);
        return
        [
            new Result($"PUT {largeName}", target, put, Cpu: putCpu),
            new Result($"GET {largeName}", target, get, Cpu: getCpu),
            new Result($"PUT {smallName}", target, putRate, putLatency, smallPutCpu),
            new Result($"GET {smallName}", target, getRate, getLatency, smallGetCpu),
        ];
    }
    finally
    {
        foreach (var c in clients)
        {
            c.Dispose();
        }
    }
}

IEnumerable<(string, double)> Ratios()
{
    double Median(string measure, string target) =>
        results.FirstOrDefault(r => r.Measure == measure && r.Target == target)?.Rate.Median ?? double.NaN;

    var sequential = Median($"write {largeName} + fsync", "disk");
    var creates = Median($"create+write {options.SmallKiB} KiB+fsync+rename+fsync-dir ×{options.Clients}", "disk");
    var commits = Median("SQLite WAL synchronous=FULL commit ×1", "disk");
    foreach (var target in options.CompareHttp ? new[] { "vault HTTPS", "vault HTTP" } : ["vault HTTPS"])
    {
        yield return ($"{target} PUT {largeName} / disk write+fsync", Median($"PUT {largeName}", target) / sequential);
        yield return ($"{target} PUT {smallName} / disk create…fsync-dir ×{options.Clients}", Median($"PUT {smallName}", target) / creates);
        yield return ($"{target} PUT {smallName} / SQLite commit ×1", Median($"PUT {smallName}", target) / commits);
    }

    if (options.CompareHttp)
    {
        foreach (var measure in new[] { $"PUT {largeName}", $"GET {largeName}", $"PUT {smallName}", $"GET {smallName}" })
        {
            yield return ($"{measure}: HTTPS / HTTP", Median(measure, "vault HTTPS") / Median(measure, "vault HTTP"));
        }
    }
}
