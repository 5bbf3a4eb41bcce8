namespace Ztdr.Backup.Stores;

/// <summary>
/// The one rule for object names, shared by every store so a name valid on S3 is valid in a folder: '/'-separated
/// segments, none empty, "." or ".." (a folder store must not be walked out of), no backslash or control characters.
/// </summary>
public static class ObjectNames
{
    public static void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                throw new ArgumentException($"object name '{name}' has an empty, '.' or '..' segment", nameof(name));
            }
        }

        foreach (var c in name)
        {
            if (c == '\\' || char.IsControl(c))
            {
                throw new ArgumentException($"object name '{name}' contains a backslash or a control character", nameof(name));
            }
        }
    }

    /// <summary>A list prefix may be empty or end in '/', but otherwise follows the name rule.</summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var trimmed = prefix.TrimEnd('/');
        if (trimmed.Length > 0)
        {
            Validate(trimmed);
        }
    }
}
