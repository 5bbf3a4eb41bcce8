using System.Globalization;

namespace Ztdr.Soak;

/// <summary>Command line of the soak run: how long, how many concurrent clients, where the Markdown report goes.</summary>
internal sealed record SoakOptions(TimeSpan Duration, int Clients, string Output)
{
    public static SoakOptions Parse(string[] args)
    {
        var duration = TimeSpan.FromSeconds(300);
        var clients = 64;
        var output = Path.Combine("artifacts", "bench", $"soak-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value; flags: --duration SECONDS, --clients N, --out FILE");
            switch (args[i])
            {
                case "--duration":
                    duration = TimeSpan.FromSeconds(Positive(args[i], value));
                    break;
                case "--clients":
                    clients = Positive(args[i], value);
                    break;
                case "--out":
                    output = value;
                    break;
                default:
                    throw new ArgumentException($"unknown flag {args[i]}; flags: --duration SECONDS, --clients N, --out FILE");
            }

            i++;
        }

        return new SoakOptions(duration, clients, output);
    }

    private static int Positive(string flag, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{flag} must be a positive whole number, not '{value}'");
}
