using Ztdr.Cli.Commands;
using Ztdr.Cli.Passwords;
using Ztdr.Cli.Tests.Vault;

namespace Ztdr.Cli.Tests;

/// <summary>
/// A <see cref="CliContext"/> with a given environment, captured output and an optional scripted prompt. New keys cost
/// the floor Argon2id allows (<see cref="CliProcess.TestKdf"/>) unless the environment names ZTDR_KDF.
/// </summary>
internal sealed class TestContext
{
    public TestContext(IReadOnlyDictionary<string, string>? environment = null, params string[] promptAnswers)
    {
        var variables = environment ?? new Dictionary<string, string>();
        Prompt = promptAnswers.Length > 0 ? new ScriptedPrompt(promptAnswers) : null;
        Context = new CliContext(name => variables.GetValueOrDefault(name) ?? (name == KdfOption.Variable ? CliProcess.TestKdf : null), Out, Error, Prompt, TimeProvider.System);
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
