using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>The ztdr executable against a real ztdr-vault process over HTTPS, with the least-privilege backup key.</summary>
public sealed class InitAgainstVaultTests : IAsyncLifetime
{
    private VaultProcess _vault = null!;

    public async Task InitializeAsync() => _vault = await VaultProcess.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Init_WithBackupProfile_CreatesRepository()
    {
        var result = await CliProcess.RunAsync(Environment("backup", "s3:https://127.0.0.1:{0}/backups"), "init", "--retention", "1d");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches("^created repository [0-9a-f]{64}\n", result.StandardOutput);
        Assert.Empty(result.StandardError);
    }

    [Fact]
    public async Task Init_Twice_SecondRefusesWithOneLine()
    {
        var environment = Environment("backup", "s3:https://127.0.0.1:{0}/backups/twice");
        var first = await CliProcess.RunAsync(environment, "init", "--retention", "1d");
        Assert.True(first.ExitCode == 0, first.ToString());

        var second = await CliProcess.RunAsync(environment, "init", "--retention", "1d");

        Assert.NotEqual(0, second.ExitCode);
        var line = Assert.Single(CliProcess.Lines(second.StandardError));
        Assert.StartsWith("ztdr: already exists: ", line, StringComparison.Ordinal);
        Assert.Empty(second.StandardOutput);
    }

    [Fact]
    public async Task Init_ProfileWithoutWriteRole_FailsAccessDeniedInOneLine()
    {
        var result = await CliProcess.RunAsync(Environment("reader", "s3:https://127.0.0.1:{0}/backups/reader"), "init", "--retention", "1d");

        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.StartsWith("ztdr: access denied: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_ProfileNotInCredentialsFile_FailsAccessDeniedInOneLine()
    {
        var result = await CliProcess.RunAsync(Environment("nobody", "s3:https://127.0.0.1:{0}/backups"), "init", "--retention", "1d");

        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.StartsWith("ztdr: access denied: ", line, StringComparison.Ordinal);
        Assert.Contains("[nobody]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_WithoutCaBundle_FailsInOneLineWithoutStackTrace()
    {
        var environment = Environment("backup", "s3:https://127.0.0.1:{0}/backups/noca");
        environment["AWS_CA_BUNDLE"] = string.Empty;

        var result = await CliProcess.RunAsync(environment, "init", "--retention", "1d");

        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.StartsWith("ztdr: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_Folder_SucceedsWithNotImmutableWarning()
    {
        using var directory = new TemporaryDirectory("cli-folder");

        var result = await CliProcess.RunAsync(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw" }, "init", "--retention", "1d", "--repo", directory.Combine("repo"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var warning = Assert.Single(CliProcess.Lines(result.StandardError));
        Assert.StartsWith("ztdr: warning: ", warning, StringComparison.Ordinal);
        Assert.Contains("NOT immutable", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_PasswordFromFileFlag_NoPromptNeeded()
    {
        using var directory = new TemporaryDirectory("cli-pwfile");
        var passwordFile = directory.Combine("password");
        await File.WriteAllTextAsync(passwordFile, "from file\n");
        var environment = Environment("backup", "s3:https://127.0.0.1:{0}/backups/pwfile");
        environment.Remove("ZTDR_PASSWORD");

        var result = await CliProcess.RunAsync(environment, "init", "--retention", "1d", "--password-file", passwordFile);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Init_NoPasswordAndNoTerminal_FailsInOneLine()
    {
        var environment = Environment("backup", "s3:https://127.0.0.1:{0}/backups/nopw");
        environment.Remove("ZTDR_PASSWORD");

        var result = await CliProcess.RunAsync(environment, "init", "--retention", "1d");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no repository password", Assert.Single(CliProcess.Lines(result.StandardError)), StringComparison.Ordinal);
    }

    private Dictionary<string, string> Environment(string profile, string repositoryFormat) => new()
    {
        ["ZTDR_REPOSITORY"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, repositoryFormat, _vault.Port),
        ["ZTDR_PASSWORD"] = "correct horse battery staple",
        ["AWS_SHARED_CREDENTIALS_FILE"] = _vault.CredentialsFile,
        ["AWS_PROFILE"] = profile,
        ["AWS_CA_BUNDLE"] = _vault.CaBundle,
    };
}
