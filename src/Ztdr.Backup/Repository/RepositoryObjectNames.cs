using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Repository;

/// <summary>The names of repository objects in the store (repository-format.md § 1).</summary>
internal static class RepositoryObjectNames
{
    public const string Config = "config";
    public const string KeysPrefix = "keys/";
    public const string DataPrefix = "data/";
    public const string IndexPrefix = "index/";
    public const string RetentionPrefix = "retention/";

    public static string Key(ObjectId id) => KeysPrefix + id;

    public static string Pack(ObjectId id)
    {
        var hex = id.ToString();
        return DataPrefix + hex[..2] + "/" + hex;
    }

    public static string Index(ObjectId id) => IndexPrefix + id;

    public static string Retention(ObjectId id) => RetentionPrefix + id;

    /// <summary>The id in a name under <paramref name="prefix"/>, or false for a name this version does not know (readers ignore those).</summary>
    public static bool TryParseId(string name, string prefix, out ObjectId id)
    {
        id = default;
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name[prefix.Length..];
        if (prefix == DataPrefix)
        {
            if (rest.Length != 3 + (ObjectId.Length * 2) || rest[2] != '/' || !rest.AsSpan(3).StartsWith(rest.AsSpan(0, 2)))
            {
                return false;
            }

            rest = rest[3..];
        }

        return ObjectId.TryParse(rest, out id);
    }
}
