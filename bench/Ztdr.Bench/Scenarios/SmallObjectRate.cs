using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Bench.Measurement;

namespace Ztdr.Bench.Scenarios;

/// <summary>
/// Small-object operations per second: one AWSSDK.S3 client per worker (so each holds its own connection), all
/// PUTting distinct keys, then all GETting the keys that round wrote.
/// </summary>
internal sealed class SmallObjectRate
{
    private readonly IReadOnlyList<IAmazonS3> _clients;
    private readonly string _bucket;
    private readonly byte[] _body;
    private readonly CpuMeter _cpu;

    public SmallObjectRate(IReadOnlyList<IAmazonS3> clients, string bucket, byte[] body, CpuMeter cpu)
    {
        _cpu = cpu;
        _clients = clients;
        _bucket = bucket;
        _body = body;
    }

    public async Task<(Samples PutRate, Samples PutLatency, CpuUse PutCpu, Samples GetRate, Samples GetLatency, CpuUse GetCpu)> RunAsync(string label, BenchOptions options)
    {
        var putRate = new Samples("ops/s");
        var putLatency = new Samples("ms");
        var getRate = new Samples("ops/s");
        var getLatency = new Samples("ms");
        var putCpu = new CpuUse();
        var getCpu = new CpuUse();
        var warmupOps = options.Warmup > 0 ? _clients.Count * 8 : 0;
        var readBuffers = _clients.Select(_ => new byte[_body.Length + 1]).ToArray();
        for (var round = -Math.Min(options.Warmup, 1); round < options.SmallRounds; round++)
        {
            var ops = round < 0 ? warmupOps : options.SmallOps;
            var prefix = $"small/{round + 1}/";
            var putStart = _cpu.Now();
            var puts = await ConcurrentRun.RunAsync(_clients.Count, ops, options.SmallRoundLimit, async (worker, index) =>
                await _clients[worker].PutObjectAsync(new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = prefix + index,
                    InputStream = new MemoryStream(_body, writable: false),
                }));
            var putEnd = _cpu.Now();
            var written = puts.Completed;
            var getStart = _cpu.Now();
            var gets = await ConcurrentRun.RunAsync(_clients.Count, written, options.SmallRoundLimit, async (worker, index) =>
            {
                using var response = await _clients[worker].GetObjectAsync(_bucket, prefix + index);
                var total = 0;
                int n;
                while ((n = await response.ResponseStream.ReadAsync(readBuffers[worker].AsMemory(total))) > 0)
                {
                    total += n;
                }

                if (total != _body.Length)
                {
                    throw new InvalidOperationException($"GET {prefix}{index} returned {total} bytes, expected {_body.Length}");
                }
            });

            var getEnd = _cpu.Now();
            var measured = round >= 0;
            Console.Error.WriteLine($"  {label} small round {round + 1}{(measured ? string.Empty : " (warm-up)")}: PUT {puts.OpsPerSecond:F0} ops/s ({puts.Completed} in {puts.Elapsed.TotalSeconds:F1} s), GET {gets.OpsPerSecond:F0} ops/s ({gets.Completed} in {gets.Elapsed.TotalSeconds:F1} s)");
            if (measured)
            {
                putCpu.Add(putStart, putEnd);
                getCpu.Add(getStart, getEnd);
                putRate.Add(puts.OpsPerSecond);
                putLatency.AddRange(puts.LatenciesMs);
                getRate.Add(gets.OpsPerSecond);
                getLatency.AddRange(gets.LatenciesMs);
            }
        }

        return (putRate, putLatency, putCpu, getRate, getLatency, getCpu);
    }
}
