using Microsoft.Data.Sqlite;
using Ztdr.Bench.Measurement;

namespace Ztdr.Bench.Baselines;

/// <summary>
/// One connection committing one small row per transaction with the vault's settings (WAL, synchronous=FULL): the
/// rate a design with a single metadata writer and one durable commit per PUT cannot exceed on this disk.
/// </summary>
internal static class SqliteCommitBaseline
{
    public static async Task<(Samples Rate, Samples LatencyMs)> RunAsync(string folder, BenchOptions options)
    {
        var rate = new Samples("ops/s");
        var latency = new Samples("ms");
        Directory.CreateDirectory(folder);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "commits.db"), Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Execute(connection, "CREATE TABLE versions (bucket TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL, file TEXT NOT NULL, PRIMARY KEY (bucket, key, version));");
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO versions VALUES ('backups', $key, $version, 4096, $etag, $file)";
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var version = insert.Parameters.Add("$version", SqliteType.Text);
        insert.Parameters.AddWithValue("$etag", "\"0123456789abcdef0123456789abcdef\"");
        var file = insert.Parameters.Add("$file", SqliteType.Text);
        for (var round = -Math.Min(options.Warmup, 1); round < options.SmallRounds; round++)
        {
            var ops = round < 0 ? 50 : options.SmallOps / 4;
            var prefix = $"small/{round + 1}/";
            var outcome = await ConcurrentRun.RunAsync(1, ops, options.SmallRoundLimit, (_, index) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                insert.Transaction = transaction;
                key.Value = prefix + index;
                version.Value = Guid.NewGuid().ToString("N");
                file.Value = Guid.NewGuid().ToString("N");
                insert.ExecuteNonQuery();
                transaction.Commit();
                return ValueTask.CompletedTask;
            });
            Console.Error.WriteLine($"  SQLite WAL synchronous=FULL commit round {round + 1}{(round < 0 ? " (warm-up)" : string.Empty)}: {outcome.OpsPerSecond:F0} commits/s");
            if (round >= 0)
            {
                rate.Add(outcome.OpsPerSecond);
                latency.AddRange(outcome.LatenciesMs);
            }
        }

        return (rate, latency);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
