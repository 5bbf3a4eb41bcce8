using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Ztdr.Bench.Measurement;

namespace Ztdr.Bench.Scenarios;

/// <summary>
/// Sequential PUT then GET of one large object per round through AWSSDK.S3 at its default settings. The body comes
/// from memory and the GET body is read and dropped, so the client's own disk is not part of the figure.
/// </summary>
internal sealed class LargeObjectThroughput
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly byte[] _body;
    private readonly CpuMeter _cpu;

    public LargeObjectThroughput(IAmazonS3 client, string bucket, byte[] body, CpuMeter cpu)
    {
        _cpu = cpu;
        _client = client;
        _bucket = bucket;
        _body = body;
    }

    public async Task<(Samples Put, CpuUse PutCpu, Samples Get, CpuUse GetCpu)> RunAsync(string label, int warmup, int rounds)
    {
        var put = new Samples("MiB/s");
        var get = new Samples("MiB/s");
        var putCpu = new CpuUse();
        var getCpu = new CpuUse();
        var mib = _body.Length / (1024.0 * 1024.0);
        var readBuffer = new byte[1 << 20];
        for (var round = 0; round < warmup + rounds; round++)
        {
            var key = $"large/{round}";
            var measured = round >= warmup;
            var start = _cpu.Now();
            var clock = Stopwatch.StartNew();
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                InputStream = new MemoryStream(_body, writable: false),
            });
            var putSeconds = clock.Elapsed.TotalSeconds;
            var putEnd = _cpu.Now();
            if (measured)
            {
                putCpu.Add(start, putEnd);
            }

            start = _cpu.Now();
            clock.Restart();
            long read = 0;
            using (var response = await _client.GetObjectAsync(_bucket, key))
            {
                int n;
                while ((n = await response.ResponseStream.ReadAsync(readBuffer)) > 0)
                {
                    read += n;
                }
            }

            var getSeconds = clock.Elapsed.TotalSeconds;
            if (measured)
            {
                getCpu.Add(start, _cpu.Now());
            }

            if (read != _body.Length)
            {
                throw new InvalidOperationException($"GET {key} returned {read} bytes, expected {_body.Length}");
            }

            Console.Error.WriteLine($"  {label} large round {round}{(measured ? string.Empty : " (warm-up)")}: PUT {mib / putSeconds:F0} MiB/s, GET {mib / getSeconds:F0} MiB/s");
            if (measured)
            {
                put.Add(mib / putSeconds);
                get.Add(mib / getSeconds);
            }
        }

        return (put, putCpu, get, getCpu);
    }
}
