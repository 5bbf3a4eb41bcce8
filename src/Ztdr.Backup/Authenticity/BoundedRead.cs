namespace Ztdr.Backup.Authenticity;

/// <summary>Reading a whole object into memory only up to a cap the reader chose, not the size storage claims.</summary>
internal static class BoundedRead
{
    public static async Task<byte[]> ReadAllAsync(Stream stream, long maxLength, string name, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > maxLength)
            {
                throw new RepositoryFormatException($"'{name}' is larger than {maxLength:N0} bytes, the most such an object of ztdr's can be.");
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
