using Ztdr.Cli.Passwords;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Passwords;

public sealed class PasswordSourceTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-pw");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Resolve_PasswordFileOption_WinsOverEverything()
    {
        var test = new TestContext(
            new Dictionary<string, string> { ["ZTDR_PASSWORD_FILE"] = WriteFile("env-file", "from-env-file"), ["ZTDR_PASSWORD"] = "from-variable" },
            "from-prompt");

        Assert.Equal("from-option", PasswordSource.Resolve(WriteFile("option", "from-option\n"), test.Context, confirm: false));
        Assert.Equal(0, test.Prompt!.Asked);
    }

    [Fact]
    public void Resolve_FileVariable_WinsOverPasswordVariable()
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_PASSWORD_FILE"] = WriteFile("env-file", "from-env-file"), ["ZTDR_PASSWORD"] = "from-variable" });

        Assert.Equal("from-env-file", PasswordSource.Resolve(null, test.Context, confirm: false));
    }

    [Fact]
    public void Resolve_PasswordVariable_WinsOverPrompt()
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "from-variable" }, "from-prompt");

        Assert.Equal("from-variable", PasswordSource.Resolve(null, test.Context, confirm: false));
        Assert.Equal(0, test.Prompt!.Asked);
    }

    [Fact]
    public void Resolve_NothingSetAndATerminal_Prompts()
    {
        var test = new TestContext(null, "typed");

        Assert.Equal("typed", PasswordSource.Resolve(null, test.Context, confirm: false));
    }

    [Fact]
    public void Resolve_ConfirmAndSameTwice_AsksTwice()
    {
        var test = new TestContext(null, "typed", "typed");

        Assert.Equal("typed", PasswordSource.Resolve(null, test.Context, confirm: true));
        Assert.Equal(2, test.Prompt!.Asked);
    }

    [Fact]
    public void Resolve_ConfirmAndDifferent_Fails()
    {
        var test = new TestContext(null, "typed", "typo");

        Assert.Throws<CliException>(() => PasswordSource.Resolve(null, test.Context, confirm: true));
    }

    [Fact]
    public void Resolve_NothingSetAndNoTerminal_FailsNamingTheSources()
    {
        var error = Assert.Throws<CliException>(() => PasswordSource.Resolve(null, new TestContext().Context, confirm: false));

        Assert.Contains("--password-file", error.Message, StringComparison.Ordinal);
        Assert.Contains("ZTDR_PASSWORD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EmptyVariable_CountsAsUnset()
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_PASSWORD_FILE"] = string.Empty, ["ZTDR_PASSWORD"] = "from-variable" });

        Assert.Equal("from-variable", PasswordSource.Resolve(null, test.Context, confirm: false));
    }

    [Theory]
    [InlineData("secret\n", "secret")]
    [InlineData("secret\r\n", "secret")]
    [InlineData("secret", "secret")]
    [InlineData("secret\n\n", "secret\n")]
    [InlineData(" spaced secret ", " spaced secret ")]
    public void Resolve_File_DropsOneTrailingLineBreakOnly(string content, string expected)
    {
        Assert.Equal(expected, PasswordSource.Resolve(WriteFile("f", content), new TestContext().Context, confirm: false));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    public void Resolve_EmptyFile_Fails(string content)
    {
        Assert.Throws<CliException>(() => PasswordSource.Resolve(WriteFile("f", content), new TestContext().Context, confirm: false));
    }

    [Fact]
    public void Resolve_MissingFile_FailsNamingIt()
    {
        var path = _directory.Combine("absent");

        var error = Assert.Throws<CliException>(() => PasswordSource.Resolve(path, new TestContext().Context, confirm: false));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private string WriteFile(string name, string content)
    {
        var path = _directory.Combine(name);
        File.WriteAllText(path, content);
        return path;
    }
}
