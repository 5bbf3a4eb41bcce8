using System.CommandLine;

namespace Ztdr.Cli.Commands;

/// <summary>Options every command accepts, wherever they appear on the line.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Repository { get; } = new("--repo", "-r")
    {
        Description = "Repository: s3:https://host:port/bucket[/prefix] or a folder path (default: $ZTDR_REPOSITORY)",
        Recursive = true,
    };

    public Option<string?> PasswordFile { get; } = new("--password-file", "-p")
    {
        Description = "File holding the repository password (default: $ZTDR_PASSWORD_FILE, then $ZTDR_PASSWORD, then a prompt)",
        Recursive = true,
    };

    public Option<string?> KeyHint { get; } = new("--key-hint")
    {
        Description = "Id of the key object to try first (default: $ZTDR_KEY_HINT, then the key that opened this repository last on this host)",
        Recursive = true,
    };

    public Option<string?> Zone { get; } = new("--zone")
    {
        Description = "Use the repository of this named zone from the zone file instead of --repo",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "Zone file (default: $XDG_CONFIG_HOME/ztdr/zones.json, then ~/.config/ztdr/zones.json)",
        Recursive = true,
    };

    public Option<string?> CacheDir { get; } = new("--cache-dir")
    {
        Description = "Folder of the local cache of tree packs (default: $ZTDR_CACHE_DIR, then $XDG_CACHE_HOME/ztdr, then ~/.cache/ztdr)",
        Recursive = true,
    };

    public Option<bool> NoCache { get; } = new("--no-cache")
    {
        Description = "Read everything from the repository; use and write no local cache",
        Recursive = true,
    };
}
