using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Caching;

/// <summary>
/// A local copy of a repository's tree packs, as restic and Kopia keep one: <c>&lt;root&gt;/&lt;repository id&gt;/packs/&lt;2 hex&gt;/&lt;pack id&gt;</c>,
/// each file the pack's bytes from its start to the end of its last blob, sealed exactly as storage holds them. An
/// unchanged backup, a restore or an ls then reads a folder's tree from disk instead of one request per folder.
/// <para>
/// Nothing here is trusted more than storage: every blob read from the cache is authenticated and its id re-checked
/// as one read from storage is, by the caller, and one that fails is evicted and read from storage again. The cache is
/// only a shortcut. A file is written under a temporary name and renamed, so a crash leaves a whole pack or none.
/// Failing to read or write the cache never fails a command: the first failure turns the cache off for the process
/// and is kept in <see cref="Problem"/> for the caller to report.
/// </para>
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class PackCache
{
    /// <summary>The file restic, borg and others put in a cache folder so backup tools skip it (bford.info/cachedir).</summary>
    public const string CacheDirTagName = "CACHEDIR.TAG";

    private const string CacheDirTag =
        "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by ztdr.\n# For information about cache directory tags see https://bford.info/cachedir/\n";

    private readonly string _packs;
    private volatile string? _problem;

    private PackCache(string packs) => _packs = packs;

    /// <summary>Why the cache was turned off, or null while it works.</summary>
    public string? Problem => _problem;

    /// <summary>The cache of repository <paramref name="repository"/> under <paramref name="root"/>, created if missing.</summary>
    public static PackCache Open(string root, ObjectId repository)
    {
        var cache = new PackCache(Path.Combine(root, repository.ToString(), "packs"));
        cache.Guard(() =>
        {
            Directory.CreateDirectory(cache._packs);
            var tag = Path.Combine(root, CacheDirTagName);
            if (!File.Exists(tag))
            {
                File.WriteAllText(tag, CacheDirTag);
            }
        });
        return cache;
    }

    /// <summary>The sealed bytes <paramref name="offset"/>..+<paramref name="length"/> of a cached pack; null when not cached.</summary>
    public byte[]? TryRead(ObjectId pack, long offset, int length)
    {
        if (_problem is not null)
        {
            return null;
        }

        byte[]? bytes = null;
        Guard(() =>
        {
            var path = PathOf(pack);
            if (!File.Exists(path))
            {
                return;
            }

            using var file = File.OpenHandle(path);
            if (RandomAccess.GetLength(file) < offset + length)
            {
                return;
            }

            var buffer = new byte[length];
            if (RandomAccess.Read(file, buffer, offset) == length)
            {
                bytes = buffer;
            }
        });
        return bytes;
    }

    /// <summary>Stores a pack's bytes (from its start); a pack already cached is left as it is.</summary>
    public void Store(ObjectId pack, ReadOnlyMemory<byte> bytes)
    {
        if (_problem is not null)
        {
            return;
        }

        Guard(() =>
        {
            var path = PathOf(pack);
            if (File.Exists(path))
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
            using (var file = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
            {
                RandomAccess.Write(file, bytes.Span, 0);
            }

            File.Move(temp, path, overwrite: true);
        });
    }

    /// <summary>Removes a pack whose cached bytes did not authenticate.</summary>
    public void Evict(ObjectId pack) => Guard(() => File.Delete(PathOf(pack)));

    /// <summary>Removes every cached pack not in <paramref name="live"/> (packs prune deleted, leftovers of a crash).</summary>
    public void Retain(IReadOnlySet<ObjectId> live)
    {
        if (_problem is not null)
        {
            return;
        }

        Guard(() =>
        {
            foreach (var file in Directory.EnumerateFiles(_packs, "*", SearchOption.AllDirectories))
            {
                if (!ObjectId.TryParse(Path.GetFileName(file), out var id) || !live.Contains(id))
                {
                    File.Delete(file);
                }
            }
        });
    }

    private string PathOf(ObjectId pack)
    {
        var name = pack.ToString();
        return Path.Combine(_packs, name[..2], name);
    }

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only home or a full disk: commands go on reading from storage, and the caller says why once.
            _problem ??= $"the local cache in '{Path.GetDirectoryName(_packs)}' is not used: {e.Message}";
        }
    }
}
