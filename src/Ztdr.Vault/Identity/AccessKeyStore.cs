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
        _db.WriteAsync((connection, transaction) =>
        {
            var created = _time.GetUtcNow();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO access_keys(access_key_id, secret, roles, buckets, created_ms) VALUES ($k, $s, $r, $b, $c)";
            command.Parameters.AddWithValue("$k", accessKeyId);
            command.Parameters.AddWithValue("$s", secret);
            command.Parameters.AddWithValue("$r", roles.ToString());
            command.Parameters.AddWithValue("$b", string.Join(',', buckets));
            command.Parameters.AddWithValue("$c", created.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            return new AccessKey(accessKeyId, roles, buckets, created, null);
        }, cancellationToken);

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
