using System.Diagnostics;
using System.Globalization;
using Ztdr.Soak;
using Ztdr.Testing;

SoakOptions options;
try
{
    options = SoakOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// The vault inherits this and writes its managed/native memory split there once a second.
var diagnosticsFile = Path.Combine(Path.GetTempPath(), $"ztdr-soak-{Environment.ProcessId}.csv");
Environment.SetEnvironmentVariable(VaultDiagnostics.Variable, diagnosticsFile);
try
{
    await using var vault = await VaultProcess.StartAsync();
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak: {options.Clients} clients for {options.Duration.TotalSeconds:0} s against {vault.Endpoint} (pid {vault.ProcessId})"));
    var run = new SoakRun(vault, options);
    await run.SeedAsync();
    using var rss = new RssSampler(vault.ProcessId);
    var started = DateTimeOffset.UtcNow;
    var clock = Stopwatch.StartNew();
    await run.RunAsync();
    var elapsed = clock.Elapsed;
    rss.Stop();

    var diagnostics = VaultDiagnostics.Read(diagnosticsFile, started, DateTimeOffset.UtcNow);
    var (report, flat) = SoakReport.Build(options, elapsed, run.Operations, rss, vault.ProcessId, diagnostics);
    Console.WriteLine(report);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
    await File.WriteAllTextAsync(options.Output, report);
    Console.Error.WriteLine($"soak: report written to {options.Output}");
    var errors = run.Operations.Values.Sum(o => o.Errors);
    if (errors > 0)
    {
        Console.Error.WriteLine($"soak: {errors} operations failed; first: {run.FirstError}");
        return 1;
    }

    if (!flat)
    {
        Console.Error.WriteLine("soak: the vault's resident memory kept growing (see 'RSS flat' in the report)");
        return 1;
    }

    return 0;
}
finally
{
    File.Delete(diagnosticsFile);
}
