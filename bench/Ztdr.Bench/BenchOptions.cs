using System.Globalization;

namespace Ztdr.Bench;

/// <summary>Sizes and counts of one run. The defaults keep a full run under about three minutes on a 2-core machine.</summary>
internal sealed record BenchOptions
{
    public int LargeMiB { get; init; } = 64;

    public int LargeRounds { get; init; } = 8;

    public int Warmup { get; init; } = 1;

    public int SmallKiB { get; init; } = 4;

    public int Clients { get; init; } = 16;

    /// <summary>Operations per round of each small-object phase, spread over all clients.</summary>
    public int SmallOps { get; init; } = 3000;

    public int SmallRounds { get; init; } = 5;

    /// <summary>Hard cap on one small-object round, whatever its count: every loop here is bounded in count and time.</summary>
    public TimeSpan SmallRoundLimit { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Also serve the vault over plain HTTP on loopback to separate the cost of TLS.</summary>
    public bool CompareHttp { get; init; } = true;

    public static string Usage => """
        ztdr-bench: end-to-end S3 throughput of a served ztdr-vault next to the disk's own limit.
          --large-mib N        size of the large object (default 64)
          --large-rounds N     measured rounds of large PUT and GET (default 8)
          --warmup N           unmeasured warm-up rounds (default 1)
          --small-kib N        size of the small objects (default 4)
          --clients N          concurrent S3 clients / baseline threads (default 16)
          --small-ops N        operations per small-object round (default 3000)
          --small-rounds N     measured rounds of small PUT and GET (default 5)
          --small-seconds N    time cap of one small-object round (default 20)
          --https-only         skip the plain-HTTP vault used to separate TLS cost
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--large-mib" => options with { LargeMiB = Positive(args, ++i) },
                "--large-rounds" => options with { LargeRounds = Positive(args, ++i) },
                "--warmup" => options with { Warmup = NonNegative(args, ++i) },
                "--small-kib" => options with { SmallKiB = Positive(args, ++i) },
                "--clients" => options with { Clients = Positive(args, ++i) },
                "--small-ops" => options with { SmallOps = Positive(args, ++i) },
                "--small-rounds" => options with { SmallRounds = Positive(args, ++i) },
                "--small-seconds" => options with { SmallRoundLimit = TimeSpan.FromSeconds(Positive(args, ++i)) },
                "--https-only" => options with { CompareHttp = false },
                _ => throw new ArgumentException($"unknown option '{args[i]}'\n{Usage}"),
            };
        }

        return options;
    }

    private static int Positive(IReadOnlyList<string> args, int i)
    {
        var value = NonNegative(args, i);
        return value > 0 ? value : throw new ArgumentException($"{args[i - 1]} must be at least 1");
    }

    private static int NonNegative(IReadOnlyList<string> args, int i)
    {
        if (i >= args.Count || !int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new ArgumentException($"{args[i - 1]} needs a whole number\n{Usage}");
        }

        return value;
    }
}
