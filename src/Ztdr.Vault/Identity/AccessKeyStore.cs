using Microsoft.Data.Sqlite;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Identity;

/// <summary>
/// Access keys in the metadata store. SigV4 needs the secret itself (it is an HMAC key), so secrets are stored as
/// issued; the store file is 0600 in a 0700 folder, readable only by the vault's user.
/// </summary>
public sealed class AccessKeyStore
{
    private readonly MetadataDatabase _db;
    private readonly TimeProvider _time;

    public AccessKeyStore(MetadataDatabase db, TimeProvider time)
    {
        _db = db;
        _time = time;
    }

    public Task<AccessKey> AddAsync(string accessKeyId, string secret, Role roles, IReadOnlyList<string> buckets, CancellationToken cancellationToken = default) =>
        AddAsync(accessKeyId, secret, roles, buckets, quotaBytes: null, cancellationToken);

    /// <summary>
    /// Adds a key. <paramref name="quotaBytes"/>: the most version bytes the versions it writes may hold, in every
    /// bucket together (null: none); set at issue only, so a stolen admin key cannot lift a backup key's quota quietly.
    /// </summary>
    public Task<AccessKey> AddAsync(string accessKeyId, string secret, Role roles, IReadOnlyList<string> buckets, long? quotaBytes, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) => Insert(connection, transaction, accessKeyId, secret, roles, buckets, quotaBytes, _time.GetUtcNow()), cancellationToken);

    /// <summary>Inserts a key inside a caller's write transaction (an approved admin key is created with its approval).</summary>
    internal static AccessKey Insert(SqliteConnection connection, SqliteTransaction transaction, string accessKeyId, string secret, Role roles, IReadOnlyList<string> buckets, long? quotaBytes, DateTimeOffset created)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO access_keys(access_key_id, secret, roles, buckets, created_ms, quota_bytes) VALUES ($k, $s, $r, $b, $c, $q)";
        command.Parameters.AddWithValue("$q", (object?)quotaBytes ?? DBNull.Value);
        command.Parameters.AddWithValue("$k", accessKeyId);
        command.Parameters.AddWithValue("$s", secret);
        command.Parameters.AddWithValue("$r", roles.ToString());
        command.Parameters.AddWithValue("$b", string.Join(',', buckets));
        command.Parameters.AddWithValue("$c", created.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
        return new AccessKey(accessKeyId, roles, buckets, created, null);
    }

    /// <summary>How many keys with the admin role are active now.</summary>
    public int ActiveAdminCount() => List().Count(k => k.Revoked is null && k.Roles.HasFlag(Role.Admin));

    /// <summary>The key's quota in stored bytes, or null when it has none.</summary>
    public long? QuotaBytes(string accessKeyId) => _db.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT quota_bytes FROM access_keys WHERE access_key_id = $k";
        command.Parameters.AddWithValue("$k", accessKeyId);
        return command.ExecuteScalar() is long quota ? quota : (long?)null;
    });

    /// <summary>
    /// Revokes a key at once: <see cref="FindActive"/> stops returning it when this returns, so the very next request
    /// signed with it fails. Revoking is idempotent and the row stays (key ids are never reused, and the audit trail
    /// keeps naming the key). The last active admin key cannot be revoked: nobody could manage keys after that.
    /// </summary>
    public Task<RevokeOutcome> RevokeAsync(string accessKeyId, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) => Revoke(connection, transaction, accessKeyId, _time.GetUtcNow()), cancellationToken);

    /// <summary>Revokes inside a caller's write transaction (an approved revocation commits with its approval).</summary>
    internal static RevokeOutcome Revoke(SqliteConnection connection, SqliteTransaction transaction, string accessKeyId, DateTimeOffset now)
    {
        AccessKey? target = null;
        var activeAdmins = 0;
        using (var select = connection.CreateCommand())
        {
            // Read and update in the one write transaction, so two concurrent revocations cannot each see the
            // other admin key still active and together remove both.
            select.Transaction = transaction;
            select.CommandText = "SELECT access_key_id, roles, buckets, created_ms, revoked_ms FROM access_keys";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                var key = Read(reader);
                if (key.AccessKeyId == accessKeyId)
                {
                    target = key;
                }

                if (key.Revoked is null && key.Roles.HasFlag(Role.Admin))
                {
                    activeAdmins++;
                }
            }
        }

        if (target is null)
        {
            return RevokeOutcome.NotFound;
        }

        if (target.Revoked is not null)
        {
            return RevokeOutcome.AlreadyRevoked;
        }

        if (target.Roles.HasFlag(Role.Admin) && activeAdmins <= 1)
        {
            return RevokeOutcome.LastAdminKey;
        }

        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE access_keys SET revoked_ms = $r WHERE access_key_id = $k AND revoked_ms IS NULL";
        update.Parameters.AddWithValue("$k", accessKeyId);
        update.Parameters.AddWithValue("$r", now.ToUnixTimeMilliseconds());
        update.ExecuteNonQuery();
        return RevokeOutcome.Revoked;
    }

    /// <summary>The key and its secret, or null when unknown or revoked (both look the same to a caller).</summary>
    public (AccessKey Key, string Secret)? FindActive(string accessKeyId) => _db.Read<(AccessKey, string)?>(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT access_key_id, roles, buckets, created_ms, revoked_ms, secret FROM access_keys WHERE access_key_id = $k AND revoked_ms IS NULL";
        command.Parameters.AddWithValue("$k", accessKeyId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (Read(reader), reader.GetString(5)) : null;
    });

    public IReadOnlyList<AccessKey> List() => _db.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT access_key_id, roles, buckets, created_ms, revoked_ms FROM access_keys ORDER BY created_ms, access_key_id";
        using var reader = command.ExecuteReader();
        var result = new List<AccessKey>();
        while (reader.Read())
        {
            result.Add(Read(reader));
        }

        return result;
    });

    private static AccessKey Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        Enum.Parse<Role>(reader.GetString(1)),
        reader.GetString(2).Split(',', StringSplitOptions.RemoveEmptyEntries),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
}

/// <summary>What <see cref="AccessKeyStore.RevokeAsync"/> did.</summary>
public enum RevokeOutcome
{
    Revoked,
    AlreadyRevoked,
    NotFound,

    /// <summary>Refused: it is the last active admin key.</summary>
    LastAdminKey,
}
