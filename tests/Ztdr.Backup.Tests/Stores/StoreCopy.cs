using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>
/// A copy of a store, in memory, with each object's bytes (null: left out) and retain-until (null: none) as the functions
/// say: damage written directly, bypassing the engine, for tests of what readers make of it.
/// </summary>
internal static class StoreCopy
{
    public static async Task<MemoryObjectStore> CopyAsync(
        IObjectStore source,
        TimeProvider time,
        Func<string, byte[], byte[]?>? bytes = null,
        Func<string, DateTimeOffset?, DateTimeOffset?>? retention = null,
        CancellationToken cancellationToken = default)
    {
        var copy = new MemoryObjectStore(time);
        await foreach (var item in source.ListAsync("", cancellationToken))
        {
            byte[] data;
            await using (var stream = await source.GetAsync(item.Name, cancellationToken: cancellationToken))
            using (var buffer = new MemoryStream())
            {
                await stream.CopyToAsync(buffer, cancellationToken);
                data = buffer.ToArray();
            }

            var retainUntil = (await source.GetRetentionAsync(item.Name, cancellationToken))?.RetainUntil;
            if ((bytes is null ? data : bytes(item.Name, data)) is { } written)
            {
                await copy.PutNewAsync(item.Name, written, retention is null ? retainUntil : retention(item.Name, retainUntil), cancellationToken);
            }
        }

        return copy;
    }
}
