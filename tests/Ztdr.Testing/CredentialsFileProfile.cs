namespace Ztdr.Testing;

/// <summary>Reads one profile's keys from an AWS shared credentials file, as the fixtures write them.</summary>
public static class CredentialsFileProfile
{
    /// <summary>The access key id and secret of <paramref name="profile"/> in <paramref name="file"/>.</summary>
    public static (string AccessKeyId, string Secret) Read(string file, string profile)
    {
        string? section = null;
        string? id = null;
        string? secret = null;
        foreach (var raw in File.ReadAllLines(file))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section != profile || eq < 0)
            {
                continue;
            }

            switch (line[..eq].Trim())
            {
                case "aws_access_key_id":
                    id = line[(eq + 1)..].Trim();
                    break;
                case "aws_secret_access_key":
                    secret = line[(eq + 1)..].Trim();
                    break;
            }
        }

        return id is not null && secret is not null ? (id, secret) : throw new InvalidOperationException($"no profile [{profile}] in {file}");
    }
}
