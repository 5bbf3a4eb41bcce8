namespace Ztdr.Backup.Stores;

/// <summary>
/// Reads one setting of one profile from the AWS shared config file: sections <c>[default]</c> and <c>[profile NAME]</c>,
/// <c>key = value</c> lines, <c>#</c> and <c>;</c> comments. Only what the SDK does not expose is read here
/// (<c>ca_bundle</c>, <c>endpoint_url</c>); credentials are the SDK's.
/// </summary>
internal static class AwsConfigFile
{
    public static string? Get(string path, string profile, string name)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var section = profile == "default" ? "default" : "profile " + profile;
        var inSection = false;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                inSection = line.TrimStart('[').TrimEnd(']').Trim() == section;
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (inSection && eq > 0 && line[..eq].Trim() == name)
            {
                var value = line[(eq + 1)..].Trim();
                return value.Length > 0 ? ExpandHome(value) : null;
            }
        }

        return null;
    }

    /// <summary>The AWS CLI expands a leading <c>~</c> in file settings such as ca_bundle.</summary>
    private static string ExpandHome(string value) =>
        value.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), value[2..]) : value;
}
