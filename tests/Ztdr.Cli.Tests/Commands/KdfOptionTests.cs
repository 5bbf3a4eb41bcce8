using System.Text.Json;
using Ztdr.Backup.Crypto;
using Ztdr.Cli.Commands;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>init and key add <c>--kdf</c> / ZTDR_KDF: the Argon2id cost of new keys, never below OWASP's floor.</summary>
public sealed class KdfOptionTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-kdf");

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("m=64MiB,t=3,p=4", 65536, 3, 4)]
    [InlineData("m=19MiB,t=2,p=1", 19456, 2, 1)]
    [InlineData("m=7MiB,t=5,p=1", 7168, 5, 1)]
    [InlineData("t=4", 65536, 4, 1)]
    [InlineData("m=131072KiB", 131072, 3, 1)]
    public void Parse_Valid_GivesTheParametersOverTheDefault(string text, int memoryKiB, int passes, int lanes) =>
        Assert.Equal(new KdfParameters(memoryKiB, passes, lanes), KdfOption.Parse(text, "--kdf"));

    [Theory]
    [InlineData("m=64MB,t=3,p=4", "use m=MEMORY,t=PASSES,p=LANES")]
    [InlineData("x=1", "use m=MEMORY,t=PASSES,p=LANES")]
    [InlineData("m=64MiB;t=3", "use m=MEMORY,t=PASSES,p=LANES")]
    [InlineData("t=-1", "use m=MEMORY,t=PASSES,p=LANES")]
    [InlineData("m=8MiB,t=4,p=1", "below OWASP's floor")]
    [InlineData("m=6MiB,t=10,p=1", "below OWASP's floor")]
    [InlineData("m=1GiB,t=3,p=4", "outside")]
    [InlineData("t=11", "outside")]
    public void Parse_MalformedOrTooWeakOrTooCostly_OneLineNamingTheSource(string text, string expected)
    {
        var error = Assert.Throws<CliException>(() => KdfOption.Parse(text, "ZTDR_KDF"));
        Assert.StartsWith($"ZTDR_KDF '{text}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_WithoutKdfSetting_KeyHasTheDefaultCost()
    {
        // An empty ZTDR_KDF is unset, as every ztdr variable: the test contexts' cheap default does not apply.
        var list = await InitAndListAsync(new Dictionary<string, string> { [KdfOption.Variable] = "" });

        Assert.Equal("argon2id m=65536KiB t=3 p=1", list);
    }

    [Fact]
    public async Task Init_KdfOptionWinsOverVariable_KeyAddTakesItToo()
    {
        var list = await InitAndListAsync(new Dictionary<string, string> { [KdfOption.Variable] = "m=19MiB,t=2,p=1" }, "--kdf", "m=12MiB,t=3,p=2");
        Assert.Equal("argon2id m=12288KiB t=3 p=2", list);

        var file = _directory.Combine("second");
        await File.WriteAllTextAsync(file, "second password\n");
        var add = new TestContext(Environment(new Dictionary<string, string> { [KdfOption.Variable] = "m=19MiB,t=2,p=1" }));
        Assert.Equal(0, await add.RunAsync("key", "add", "--new-password-file", file));
        var listed = new TestContext(Environment([]));
        Assert.Equal(0, await listed.RunAsync("key", "list"));
        Assert.Contains("argon2id m=19456KiB t=2 p=1", listed.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_TooWeakKdf_OneLineAndNothingWritten()
    {
        var context = new TestContext(Environment([]));

        var exit = await context.RunAsync("init", "--retention", "1d", "--kdf", "m=8MiB,t=1,p=1");

        Assert.Equal(CommandErrors.Usage, exit);
        Assert.StartsWith("ztdr: --kdf 'm=8MiB,t=1,p=1': below OWASP's floor", Assert.Single(context.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory.Combine("repo")) && Directory.EnumerateFileSystemEntries(_directory.Combine("repo")).Any());
    }

    private async Task<string> InitAndListAsync(Dictionary<string, string> extra, params string[] initOptions)
    {
        var init = new TestContext(Environment(extra));
        Assert.Equal(0, await init.RunAsync(["init", "--retention", "1d", .. initOptions]));
        var list = new TestContext(Environment(extra));
        Assert.Equal(0, await list.RunAsync("key", "list", "--json"));
        var text = new TestContext(Environment(extra));
        Assert.Equal(0, await text.RunAsync("key", "list"));
        using var json = JsonDocument.Parse(list.Out.ToString());
        Assert.Single(json.RootElement.EnumerateArray());
        return Assert.Single(text.Out.ToString().Split('\n'), l => l.Contains("argon2id", StringComparison.Ordinal)).Split("  ", StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
    }

    private Dictionary<string, string> Environment(Dictionary<string, string> extra)
    {
        var environment = new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return environment;
    }
}
