using System.Globalization;
using System.Runtime.CompilerServices;

namespace Ztdr.Backup.Stores;

/// <summary>
/// A store in a plain folder, for tests, benchmarks and users without S3. It keeps the write-once and retention rules
/// of the port for its own callers, but anyone with access to the folder can change or delete anything, so it says
/// plainly that it is not immutable (<see cref="StoreCapabilities.Immutable"/> is false).
/// </summary>
/// <remarks>
/// Layout under the root: <c>objects/&lt;name&gt;</c> holds the bytes, <c>retention/&lt;name&gt;</c> one line
/// "<c>COMPLIANCE &lt;ISO-8601 UTC&gt;</c>", <c>tmp/</c> uploads in progress. An object is written to <c>tmp/</c>,
/// flushed to disk, then linked into place with a no-replace rename, so a reader never sees a partial object and an
/// existing object is never replaced. Its retention line is written after the object is in place (a crash between
/// the two leaves an unlocked object, which <c>verify</c> reports as a lock-coverage error).
/// </remarks>
public sealed class LocalFolderStore : IObjectStore
{
    private const string ObjectsFolder = "objects";
    private const string RetentionFolder = "retention";
    private const string TempFolder = "tmp";
    private readonly string _objects;
    private readonly string _retention;
    private readonly string _temp;
    private readonly TimeProvider _time;

    // Retention changes are read-check-write; serialize them in this process so a shorter date cannot win a race.
    private readonly SemaphoreSlim _retentionGate = new(1, 1);

    public LocalFolderStore(string root, TimeProvider time)
    {
        Root = Path.GetFullPath(root);
        _objects = Path.Combine(Root, ObjectsFolder);
        _retention = Path.Combine(Root, RetentionFolder);
        _temp = Path.Combine(Root, TempFolder);
        _time = time;
        Directory.CreateDirectory(_objects);
        Directory.CreateDirectory(_retention);
        Directory.CreateDirectory(_temp);
        Capabilities = new StoreCapabilities(Immutable: false, $"local folder {Root} (NOT immutable: retention is recorded, not enforced)");
    }

    public string Root { get; }

    public StoreCapabilities Capabilities { get; }

    public Task PutNewAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
        PutNewAsync(name, StoreContent.AsStream(content), retainUntil, cancellationToken);

    public async Task PutNewAsync(string name, Stream content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        if (retainUntil is { } date && date <= _time.GetUtcNow())
        {
            throw StoreErrors.RetentionNotInFuture(name, date);
        }

        var start = content.CanSeek ? content.Position : 0;
        var target = ObjectPath(name);
        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);

            // On Unix a no-overwrite move is link(2) + unlink(2): atomic, and it fails when the target exists.
            File.Move(temp, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(temp);
            await PutExistingAsync(name, content, start, target, retainUntil, cancellationToken);
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw Translate(name, e);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        if (retainUntil is { } until)
        {
            await ExtendRetentionAsync(name, until, cancellationToken);
        }
    }

    public Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        try
        {
            var file = new FileStream(ObjectPath(name), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            if (range is not { } r)
            {
                return Task.FromResult<Stream>(file);
            }

            file.Position = Math.Min(r.Offset, file.Length);
            return Task.FromResult<Stream>(new RangeReadStream(file, r.Length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Translate(name, e);
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectNames.ValidatePrefix(prefix);

        // Start at the deepest folder the prefix names, so listing one kind of object does not walk all of them.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _objects : Path.Combine(_objects, prefix[..slash]);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var found = new List<ObjectInfo>();
        foreach (var path in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(_objects, path).Replace(Path.DirectorySeparatorChar, '/');
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                found.Add(new ObjectInfo(name, new FileInfo(path).Length));
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var item in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return item;
        }
    }

    /// <summary>A folder keeps no history: each object is listed once, as its only version.</summary>
    public async IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in ListAsync(prefix, cancellationToken))
        {
            yield return new ObjectVersion(item.Name, null, item.Size, null, IsDeleteMarker: false);
        }
    }

    public Task<Stream> GetVersionAsync(string name, string? versionId, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        versionId is null ? GetAsync(name, range, cancellationToken) : throw StoreErrors.NotFound($"{name} (version {versionId})");

    public Task<ObjectRetention?> GetVersionRetentionAsync(string name, string? versionId, CancellationToken cancellationToken = default) =>
        versionId is null ? GetRetentionAsync(name, cancellationToken) : throw StoreErrors.NotFound($"{name} (version {versionId})");

    public Task ExtendVersionRetentionAsync(string name, string? versionId, DateTimeOffset retainUntil, CancellationToken cancellationToken = default) =>
        versionId is null ? ExtendRetentionAsync(name, retainUntil, cancellationToken) : throw StoreErrors.NotFound($"{name} (version {versionId})");

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        return Task.FromResult(File.Exists(ObjectPath(name)));
    }

    public async Task<ObjectRetention?> GetRetentionAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        if (!File.Exists(ObjectPath(name)))
        {
            throw StoreErrors.NotFound(name);
        }

        return await ReadRetentionAsync(name, cancellationToken);
    }

    public async Task ExtendRetentionAsync(string name, DateTimeOffset retainUntil, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        await _retentionGate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(ObjectPath(name)))
            {
                throw StoreErrors.NotFound(name);
            }

            var current = await ReadRetentionAsync(name, cancellationToken);
            if (current?.Covers(retainUntil) == true)
            {
                return;
            }

            if (retainUntil <= _time.GetUtcNow())
            {
                throw StoreErrors.RetentionNotInFuture(name, retainUntil);
            }

            var path = RetentionPath(name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
            var line = "COMPLIANCE " + retainUntil.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) + "\n";
            await File.WriteAllTextAsync(temp, line, cancellationToken);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Translate(name, e);
        }
        finally
        {
            _retentionGate.Release();
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        await _retentionGate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(ObjectPath(name)))
            {
                return;
            }

            if (await ReadRetentionAsync(name, cancellationToken) is { } retention && retention.IsActiveAt(_time.GetUtcNow()))
            {
                throw StoreErrors.Locked(name, retention.RetainUntil);
            }

            File.Delete(ObjectPath(name));
            if (File.Exists(RetentionPath(name)))
            {
                File.Delete(RetentionPath(name));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Translate(name, e);
        }
        finally
        {
            _retentionGate.Release();
        }
    }

    private async Task PutExistingAsync(string name, Stream content, long start, string target, DateTimeOffset? retainUntil, CancellationToken cancellationToken)
    {
        var ours = await StoreContent.HashFromAsync(content, start, cancellationToken);
        byte[] theirs;
        await using (var existing = File.OpenRead(target))
        {
            theirs = await StoreContent.HashAsync(existing, cancellationToken);
        }

        if (ours is null || !ours.AsSpan().SequenceEqual(theirs))
        {
            throw StoreErrors.AlreadyExists(name);
        }

        if (retainUntil is { } until)
        {
            await ExtendRetentionAsync(name, until, cancellationToken);
        }
    }

    private async Task<ObjectRetention?> ReadRetentionAsync(string name, CancellationToken cancellationToken)
    {
        var path = RetentionPath(name);
        if (!File.Exists(path))
        {
            return null;
        }

        var parts = (await File.ReadAllTextAsync(path, cancellationToken)).Trim().Split(' ');
        var mode = parts[0] == "GOVERNANCE" ? RetentionMode.Governance : RetentionMode.Compliance;
        var until = DateTimeOffset.Parse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        return new ObjectRetention(mode, until);
    }

    private string ObjectPath(string name) => Path.Combine(_objects, name);

    private string RetentionPath(string name) => Path.Combine(_retention, name);

    private static ObjectStoreException Translate(string name, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => StoreErrors.NotFound(name, e),
        UnauthorizedAccessException => StoreErrors.AccessDenied($"object '{name}'", e.Message, e),
        _ => StoreErrors.Unavailable($"object '{name}'", e.Message, e),
    };
}
