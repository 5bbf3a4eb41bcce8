using System.Text.Json;
using Ztdr.Cli.Locations;

namespace Ztdr.Cli.Zones;

/// <summary>
/// Named resilience zones from a JSON file (default <c>$XDG_CONFIG_HOME/ztdr/zones.json</c>, else
/// <c>~/.config/ztdr/zones.json</c>; <c>--config</c> chooses another):
/// <c>{"zones": [{"name", "repository", "credentialsFile", "profile", "caBundle", "passwordFile", "maintenanceProfile",
/// "offsite"}]}</c>, only name and repository required; <c>offsite</c> is a boolean, the rest strings. Unknown fields are errors, not ignored: a misspelt "passwordFile" must not silently send
/// copies to a repository opened some other way. Every problem is one line naming the file, the zone and the problem.
/// </summary>
internal sealed class ZoneConfig
{
    public const string FileName = "zones.json";

    private const string OffsiteField = "offsite";

    private static readonly string[] Fields = ["name", "repository", "credentialsFile", "profile", "readProfile", "caBundle", "passwordFile", "maintenanceProfile", OffsiteField];

    private ZoneConfig(string path, IReadOnlyList<Zone> zones)
    {
        Path = path;
        Zones = zones;
    }

    public string Path { get; }

    public IReadOnlyList<Zone> Zones { get; }

    /// <summary>The zone file to use: <paramref name="configOption"/> if given, else the XDG default.</summary>
    public static string PathFor(string? configOption, CliContext context)
    {
        if (configOption is not null)
        {
            return System.IO.Path.GetFullPath(configOption);
        }

        var configHome = context.Variable("XDG_CONFIG_HOME")
            ?? (context.Variable("HOME") is { } home ? System.IO.Path.Combine(home, ".config")
                : throw new CliException("no zone file: neither XDG_CONFIG_HOME nor HOME is set; use --config FILE"));
        return System.IO.Path.Combine(configHome, "ztdr", FileName);
    }

    /// <summary>Reads and checks the whole file; the first problem is a <see cref="CliException"/>.</summary>
    public static ZoneConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"zone file {path}: cannot be read: {e.Message}");
        }

        return Parse(path, text);
    }

    public static ZoneConfig Parse(string path, string text)
    {
        JsonDocument document;
        try
        {
            // Trailing commas and comments are what people write in a hand-edited file; JSON's strictness helps no one here.
            document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
            var reason = e.Message.Split(". ", 2)[0].TrimEnd('.');
            throw new CliException($"zone file {path}: not valid JSON{where}: {reason}; fix the file there");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("zones", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                throw new CliException($"zone file {path}: expected {{\"zones\": [ ... ]}}");
            }

            var zones = new List<Zone>();
            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                index++;
                var zone = ParseZone(path, index, element);
                if (zones.Any(z => z.Name == zone.Name))
                {
                    throw new CliException($"zone file {path}: zone '{zone.Name}': the name is used twice");
                }

                zones.Add(zone);
            }

            return new ZoneConfig(path, zones);
        }
    }

    /// <summary>The zone named <paramref name="name"/>.</summary>
    public Zone Get(string name) =>
        Zones.FirstOrDefault(z => z.Name == name)
        ?? throw new CliException($"zone file {Path}: no zone named '{name}' (zones: {(Zones.Count == 0 ? "none" : string.Join(", ", Zones.Select(z => z.Name)))})");

    private static Zone ParseZone(string path, int index, JsonElement element)
    {
        var label = $"zone #{index}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CliException($"zone file {path}: {label}: expected an object");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        bool? offsite = null;
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name == OffsiteField)
            {
                if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    values.TryGetValue("name", out var named);
                    throw new CliException($"zone file {path}: {(named is null ? label : $"zone '{named}'")}: '{OffsiteField}' must be true or false");
                }

                offsite = property.Value.GetBoolean();
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() is not { Length: > 0 } value)
            {
                values.TryGetValue("name", out var named);
                throw new CliException($"zone file {path}: {(named is null ? label : $"zone '{named}'")}: '{property.Name}' must be a non-empty string");
            }

            values[property.Name] = value;
        }

        if (!values.TryGetValue("name", out var name))
        {
            throw new CliException($"zone file {path}: {label}: no 'name'");
        }

        var problem = $"zone file {path}: zone '{name}'";
        if (values.Keys.FirstOrDefault(k => !Fields.Contains(k)) is { } unknown)
        {
            throw new CliException($"{problem}: unknown field '{unknown}' (known: {string.Join(", ", Fields)})");
        }

        if (!values.TryGetValue("repository", out var repository))
        {
            throw new CliException($"{problem}: no 'repository'");
        }

        try
        {
            RepositoryLocation.Parse(repository);
        }
        catch (CliException e)
        {
            throw new CliException($"{problem}: {e.Message}");
        }

        return new Zone(
            name,
            new ZoneEndpoint(
                repository,
                values.GetValueOrDefault("credentialsFile"),
                values.GetValueOrDefault("profile"),
                values.GetValueOrDefault("caBundle"),
                values.GetValueOrDefault("passwordFile")),
            offsite ?? false,
            values.GetValueOrDefault("maintenanceProfile"),
            values.GetValueOrDefault("readProfile"));
    }
}

/// <summary>
/// One named zone of a <see cref="ZoneConfig"/>. <paramref name="Offsite"/> is the user's word that the zone is in
/// another place than the protected hosts (3-2-1-1-0's "1 off-site"): an endpoint's address cannot tell, since a
/// remote site is often reached through a local address (VPN, proxy) and a local name can point anywhere.
/// <paramref name="MaintenanceProfile"/> is the profile, in the zone's credentials file, of the key prune deletes with;
/// <paramref name="ReadProfile"/> the one commands that only read use (restore, ls, snapshots, status, a copy's
/// source), so the backup key need not be on a host that only restores. <c>profile</c> (in <see cref="Endpoint"/>)
/// is the one that writes: init, backup, forget, key, verify, prune's reads and a copy's target.
/// </summary>
internal sealed record Zone(string Name, ZoneEndpoint Endpoint, bool Offsite = false, string? MaintenanceProfile = null, string? ReadProfile = null)
{
    /// <summary>The endpoint for a command that only reads: <see cref="ReadProfile"/> when set, else the zone's profile.</summary>
    public ZoneEndpoint ReadEndpoint => ReadProfile is null ? Endpoint : Endpoint with { Profile = ReadProfile };
}
