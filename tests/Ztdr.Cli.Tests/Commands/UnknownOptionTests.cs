using Ztdr.Cli.Commands;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>
/// Every command refuses an option it does not know, in one line and before it touches anything: such a token was
/// taken as a path or snapshot id (<c>backup --exclude '*.gz' DIR</c> backed up a folder named "--exclude").
/// </summary>
public sealed class UnknownOptionTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-unknown-option");

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string, string[]> Commands => new()
    {
        { "init", ["init", "--retention", "1d", "--bogus"] },
        { "backup", ["backup", "--exclude", "*.gz", "DATA"] },
        { "snapshots", ["snapshots", "--bogus"] },
        { "restore", ["restore", "latest", "--target", "OUT", "--bogus"] },
        { "verify", ["verify", "--bogus"] },
        { "ls", ["ls", "latest", "--bogus"] },
        { "forget", ["forget", "--keep-dayly", "7"] },
        { "prune", ["prune", "--bogus"] },
        { "key", ["key", "add", "--bogus"] },
        { "copy", ["copy", "--bogus", "latest"] },
        { "zones", ["zones", "--bogus"] },
        { "status", ["status", "--bogus"] },
        { "assess", ["assess", "--bogus", "--endpoint", "https://127.0.0.1:1", "--bucket", "b", "--profile", "p"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Run_UnknownOption_OneLineUsageExitNothingWritten(string command, string[] args)
    {
        var data = Directory.CreateDirectory(_directory.Combine("data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "f.txt"), "x");
        var repository = _directory.Combine("repo");
        var test = new TestContext(new Dictionary<string, string>
        {
            ["ZTDR_REPOSITORY"] = repository,
            ["ZTDR_PASSWORD"] = "pw",
            ["XDG_CONFIG_HOME"] = _directory.Combine("config"),
            ["XDG_STATE_HOME"] = _directory.Combine("state"),
        });
        var unknown = args.First(a => a.StartsWith("--", StringComparison.Ordinal) && a is not "--retention" and not "--target" and not "--endpoint" and not "--bucket" and not "--profile");

        var exit = await test.RunAsync([.. args.Select(a => a == "DATA" ? data : a == "OUT" ? _directory.Combine("out") : a)]);

        Assert.Equal(CommandErrors.Usage, exit);
        Assert.Equal($"ztdr: unrecognized option '{unknown}' (see 'ztdr {(command == "key" ? "key add" : command)} --help')\n", test.Error.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("", test.Out.ToString());
        Assert.False(Directory.Exists(repository), "the repository folder was created");
        Assert.False(Directory.Exists(_directory.Combine("out")), "the restore target was created");
        Assert.False(Directory.Exists(_directory.Combine("state")), "state was written");
    }

    [Fact]
    public async Task Run_DashedPathAfterDoubleDash_TakenAsAPath()
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_REPOSITORY"] = _directory.Combine("repo"), ["ZTDR_PASSWORD"] = "pw" });

        var exit = await test.RunAsync("ls", "latest", "--", "--not-an-option");

        Assert.NotEqual(CommandErrors.Usage, exit);
        Assert.DoesNotContain("unrecognized option", test.Error.ToString(), StringComparison.Ordinal);
    }
}
