using System.Text.Json;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Compat;

/// <summary>
/// The installed aws CLI pointed at one vault the way a user would: --endpoint-url, a shared credentials file, a
/// profile and AWS_CA_BUNDLE. Nothing else is configured, so every request is shaped by the CLI's own defaults.
/// </summary>
internal sealed class AwsCli
{
    private readonly VaultProcess _vault;
    private readonly InstalledTool _tool;
    private readonly Dictionary<string, string> _environment;

    public AwsCli(VaultProcess vault, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        _vault = vault;
        _tool = InstalledTool.Require("aws", vault);
        _environment = vault.ClientEnvironment();
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            _environment[name] = value;
        }
    }

    public Task<ProcessResult> RunAsync(params string[] arguments) =>
        _tool.RunAsync(WithEndpoint(arguments), _environment);

    public Task<ProcessResult> SucceedAsync(params string[] arguments) =>
        _tool.SucceedAsync(WithEndpoint(arguments), _environment);

    /// <summary>Runs an s3api command and parses its JSON output (empty output, as for a never-set versioning status, is {}).</summary>
    public async Task<JsonElement> JsonAsync(params string[] arguments)
    {
        var result = await SucceedAsync([.. arguments, "--output", "json"]);
        var text = result.StandardOutput.Trim();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return document.RootElement.Clone();
    }

    public string Describe(string[] arguments, ProcessResult result) => _tool.Describe(WithEndpoint(arguments), result);

    private string[] WithEndpoint(string[] arguments) => ["--endpoint-url", _vault.Endpoint, .. arguments];
}
