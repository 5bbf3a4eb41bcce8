using Ztdr.Cli.Passwords;

namespace Ztdr.Cli.Tests;

/// <summary>A <see cref="CliContext"/> with a given environment, captured output and an optional scripted prompt.</summary>
internal sealed class TestContext
{
    public TestContext(IReadOnlyDictionary<string, string>? environment = null, params string[] promptAnswers)
    {
        var variables = environment ?? new Dictionary<string, string>();
        Prompt = promptAnswers.Length > 0 ? new ScriptedPrompt(promptAnswers) : null;
        Context = new CliContext(name => variables.GetValueOrDefault(name), Out, Error, Prompt, TimeProvider.System);
    }

    public StringWriter Out { get; } = new();

    public StringWriter Error { get; } = new();

    public ScriptedPrompt? Prompt { get; }

    public CliContext Context { get; }

    public Task<int> RunAsync(params string[] args) => CliApplication.RunAsync(args, Context);
}

internal sealed class ScriptedPrompt(params string[] answers) : IPasswordPrompt
{
    private readonly Queue<string> _answers = new(answers);

    public int Asked { get; private set; }

    public string ReadPassword(string prompt)
    {
        Asked++;
        return _answers.Dequeue();
    }
}
