namespace Ztdr.Bench.Measurement;

/// <summary>
/// One row of the report: a rate measured over several rounds (median and spread) and, for per-operation runs,
/// the latency distribution pooled over all measured rounds; for vault runs, the CPU the vault and the client used.
/// </summary>
internal sealed record Result(string Measure, string Target, Samples Rate, Samples? LatencyMs = null, CpuUse? Cpu = null);
