using System.Text.Json;
using Ztdr.Cli.Commands;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>key add and key list in process against a folder repository.</summary>
public sealed class KeyCommandTests : IDisposable
{
    private readonly ClockedFolderRepository _repo = new("cli-key");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task KeyAdd_FromFile_NewPasswordOpensRepository_ListShowsBothKeys()
    {
        await _repo.InitAsync();
        var file = _repo.Combine("new-password");
        await File.WriteAllTextAsync(file, "second password\n");

        var (exit, output, _) = await _repo.RunAsync("key", "add", "--new-password-file", file);

        Assert.Equal(0, exit);
        Assert.Matches("^added key [0-9a-f]{8}; it is locked until ", output);
        var list = await _repo.RunAsync("key", "list", "--json");
        using var keys = JsonDocument.Parse(list.Output);
        Assert.Equal(2, keys.RootElement.GetArrayLength());
        Assert.Contains(keys.RootElement.EnumerateArray(), k => k.GetProperty("id").GetString()!.StartsWith(output[10..18], StringComparison.Ordinal));

        // The new password alone opens the repository.
        using var outWriter = new StringWriter();
        var context = new CliContext(
            name => name switch { "ZTDR_PASSWORD" => "second password", "ZTDR_REPOSITORY" => _repo.RepositoryPath, _ => null },
            outWriter,
            new StringWriter(),
            null,
            _repo.Clock);
        Assert.Equal(0, await CliApplication.RunAsync(["key", "list"], context));
        Assert.EndsWith("2 keys\n", outWriter.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyAdd_Prompted_AsksTwice_MismatchWritesNothing()
    {
        await _repo.InitAsync();
        var before = _repo.ObjectFiles();

        var (exit, _, errors) = await _repo.RunAsync(new ScriptedPrompt("one", "two"), "key", "add");

        Assert.Equal(CommandErrors.Usage, exit);
        Assert.Equal("ztdr: the two passwords differ; nothing was done", errors.Last());
        Assert.Equal(before, _repo.ObjectFiles());

        var again = await _repo.RunAsync(new ScriptedPrompt("same", "same"), "key", "add");
        Assert.Equal(0, again.Exit);
        Assert.Equal(before.Count + 1, _repo.ObjectFiles().Count);
    }

    [Fact]
    public async Task KeyAdd_NoFileAndNoTerminal_UsageErrorInOneLine()
    {
        await _repo.InitAsync();

        var (exit, _, errors) = await _repo.RunAsync("key", "add");

        Assert.Equal(CommandErrors.Usage, exit);
        Assert.Contains("--new-password-file", errors.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyList_Plain_OneRowPerKey()
    {
        await _repo.InitAsync();

        var (exit, output, _) = await _repo.RunAsync("key", "list");

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID ", lines[0], StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{8}  2026-01-01 12:00:00Z  argon2id ", lines[1]);
        Assert.Equal("1 key", lines[^1]);
    }
}
