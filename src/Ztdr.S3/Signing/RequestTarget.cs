namespace Ztdr.S3.Signing;

/// <summary>Splits a raw request target into its still-encoded path and query.</summary>
internal static class RequestTarget
{
    public static (string Path, string Query) Split(string rawTarget)
    {
        var target = rawTarget;

        // Absolute-form (a client talking as if through a proxy): only path and query are signed.
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
            target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var authorityStart = target.IndexOf("//", StringComparison.Ordinal) + 2;
            var pathStart = target.IndexOfAny(['/', '?'], authorityStart);
            target = pathStart < 0 ? string.Empty : target[pathStart..];
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (target, string.Empty) : (target[..question], target[(question + 1)..]);
    }

    /// <summary>Decoded (name, value) pairs in order, duplicates kept; '+' is a space as in form encoding.</summary>
    public static List<KeyValuePair<string, string>> ParseQuery(string rawQuery)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var parameter in rawQuery.Split('&'))
        {
            if (parameter.Length == 0)
            {
                continue;
            }

            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? parameter : parameter[..equals];
            var value = equals < 0 ? string.Empty : parameter[(equals + 1)..];
            parameters.Add(new(S3UriEncoding.DecodeToString(name, plusIsSpace: true), S3UriEncoding.DecodeToString(value, plusIsSpace: true)));
        }

        return parameters;
    }
}
