using Microsoft.Data.Sqlite;

namespace Ztdr.Vault.Approvals;

/// <summary>
/// Pending approvals in the metadata store (table approvals, schema version 4). Rows are never deleted: a decided
/// approval stays as the record of who asked and who decided. The secret of an admin key waiting to be created is kept
/// here, never listed, and cleared once the request is decided.
/// </summary>
internal static class ApprovalStore
{
    public static void Insert(SqliteConnection connection, SqliteTransaction transaction, PendingApproval approval, string? secret)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO approvals(approval_id, operation, parameters, secret, requester, created_ms, expires_ms, state)
            VALUES ($id, $op, $p, $s, $r, $c, $e, $state)
            """;
        command.Parameters.AddWithValue("$id", approval.ApprovalId);
        command.Parameters.AddWithValue("$op", approval.Operation);
        command.Parameters.AddWithValue("$p", approval.Parameters.ToJson());
        command.Parameters.AddWithValue("$s", (object?)secret ?? DBNull.Value);
        command.Parameters.AddWithValue("$r", approval.Requester);
        command.Parameters.AddWithValue("$c", approval.Created.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$e", approval.Expires.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$state", (int)ApprovalState.Pending);
        command.ExecuteNonQuery();
    }

    /// <summary>The approval and the secret it holds (only a pending create-admin-key holds one), or null.</summary>
    public static (PendingApproval Approval, string? Secret)? Find(SqliteConnection connection, SqliteTransaction? transaction, string approvalId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns}, secret FROM approvals WHERE approval_id = $id";
        command.Parameters.AddWithValue("$id", approvalId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (Read(reader), reader.IsDBNull(10) ? null : reader.GetString(10)) : null;
    }

    public static IReadOnlyList<PendingApproval> List(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns} FROM approvals ORDER BY created_ms, approval_id";
        using var reader = command.ExecuteReader();
        var result = new List<PendingApproval>();
        while (reader.Read())
        {
            result.Add(Read(reader));
        }

        return result;
    }

    /// <summary>Decides a pending approval; false when it was no longer pending (someone else decided first).</summary>
    public static bool Decide(SqliteConnection connection, SqliteTransaction transaction, string approvalId, ApprovalState state, string? decidedBy, DateTimeOffset decided)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE approvals SET state = $state, decided_by = $by, decided_ms = $at, secret = NULL WHERE approval_id = $id AND state = 0";
        command.Parameters.AddWithValue("$id", approvalId);
        command.Parameters.AddWithValue("$state", (int)state);
        command.Parameters.AddWithValue("$by", (object?)decidedBy ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", decided.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery() == 1;
    }

    private const string Columns = "approval_id, operation, parameters, requester, created_ms, expires_ms, state, decided_by, decided_ms, 0";

    private static PendingApproval Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        ApprovalParameters.FromJson(reader.GetString(2)),
        reader.GetString(3),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        (ApprovalState)reader.GetInt32(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)));
}
