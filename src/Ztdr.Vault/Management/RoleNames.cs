using Ztdr.Vault.Identity;

namespace Ztdr.Vault.Management;

/// <summary>Roles as the CLI and the JSON API spell them: lower-case names, parsed by <see cref="Permissions.ParseRoles"/>.</summary>
public static class RoleNames
{
    public static IReadOnlyList<string> Format(Role roles) =>
        Enum.GetValues<Role>()
            .Where(r => r != Role.None && roles.HasFlag(r))
            .Select(r => r.ToString().ToLowerInvariant())
            .ToArray();

    public static Role Parse(IEnumerable<string> names) => Permissions.ParseRoles(string.Join(',', names));
}
