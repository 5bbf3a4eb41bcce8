using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tests.Tls;

namespace Ztdr.Vault.Tests.Storage;

/// <summary>
/// Freezes every value the vault writes to disk (docs/vault-storage.md, layout version 1, schema version 3). A failure here
/// means existing data folders would be misread: make it a new format version with a migration, never a new expectation.
/// </summary>
public sealed class FormatGoldenTests
{
    [Fact]
    public void SchemaV1_Text_IsFrozen()
    {
        var text = MetadataDatabase.SchemaV1.ReplaceLineEndings("\n");

        Assert.Equal("3a6e9836225c62c4591334c4490583fda5fe3c6df3f807f850f5280854152901", Sha256(text));
    }

    [Fact]
    public void MigrationV2_Text_IsFrozen()
    {
        var text = MetadataDatabase.MigrationV2.ReplaceLineEndings("\n");

        Assert.Equal("113243b2c19d6a97cd7a0d0cba379bd74a6cf0f93c2706133a9bfb6a496401c0", Sha256(text));
    }

    [Fact]
    public void MigrationV3_Text_IsFrozen()
    {
        var text = MetadataDatabase.MigrationV3.ReplaceLineEndings("\n");

        Assert.Equal("c4be9647cdc11290aa6b32144a4efb28ad88ff98d5dc2cd996a9ae16d065f8b0", Sha256(text));
    }

    [Fact]
    public void SchemaVersion_Is4()
    {
        Assert.Equal(4, MetadataDatabase.SchemaVersion);
        Assert.Equal(1, VaultLayout.FormatVersion);
    }

    [Fact]
    public void Open_Version1Store_MigratesToExactlyTheSchemaOfANewStore()
    {
        using var folder = new TemporaryFolder();
        var migrated = folder.Combine("v1.db");
        using (var connection = new SqliteConnection($"Data Source={migrated};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);" + MetadataDatabase.SchemaV1 + "INSERT INTO meta(name, value) VALUES ('schema_version', '1');";
            command.ExecuteNonQuery();
        }

        MetadataDatabase.Open(migrated, create: false).Dispose();
        var fresh = folder.Combine("new.db");
        MetadataDatabase.Open(fresh, create: true).Dispose();

        Assert.Equal(Dump(fresh), Dump(migrated));
        using var check = new SqliteConnection($"Data Source={migrated};Pooling=False");
        check.Open();
        Assert.Equal("4", Scalar(check, "SELECT value FROM meta WHERE name = 'schema_version'"));
    }

    [Fact]
    public void Open_Version2Store_MigratesKeepingEveryLockAndCountingStoredBytes()
    {
        using var folder = new TemporaryFolder();
        var migrated = folder.Combine("v2.db");
        using (var connection = new SqliteConnection($"Data Source={migrated};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);" + MetadataDatabase.SchemaV1 + MetadataDatabase.MigrationV2 + """
                INSERT INTO meta(name, value) VALUES ('schema_version', '2');
                INSERT INTO buckets(name, created_ms, versioning, object_lock, lock_default_mode, lock_default_years) VALUES ('b', 1, 1, 1, 2, 30);
                INSERT INTO versions(bucket, key, version_id, is_latest, is_delete_marker, size, etag, last_modified_ms, headers, lock_mode, retain_until_ms, legal_hold)
                VALUES ('b', X'6B', '01ARZ3NDEKTSV4RRFFQ69G5FAV', 1, 0, 1234, '"e"', 1, '{}', 2, 253402300799999, 1);
                INSERT INTO versions(bucket, key, version_id, is_latest, is_delete_marker, size, etag, last_modified_ms, headers)
                VALUES ('b', X'6C', '01ARZ3NDEKTSV4RRFFQ69G5FAW', 1, 0, 66, '"f"', 1, '{}');
                """;
            command.ExecuteNonQuery();
        }

        MetadataDatabase.Open(migrated, create: false).Dispose();
        var fresh = folder.Combine("new.db");
        MetadataDatabase.Open(fresh, create: true).Dispose();

        Assert.Equal(Dump(fresh), Dump(migrated));
        using var check = new SqliteConnection($"Data Source={migrated};Pooling=False");
        check.Open();
        Assert.Equal("4", Scalar(check, "SELECT value FROM meta WHERE name = 'schema_version'"));
        Assert.Equal("2|253402300799999|1|", Scalar(check, "SELECT lock_mode || '|' || retain_until_ms || '|' || legal_hold || '|' || COALESCE(writer, '') FROM versions WHERE key = X'6B'"));

        // An existing bucket keeps behaving as before: no maximum, not write-once, no quota; its bytes count, writer unknown.
        Assert.Equal("2|30|||0|", Scalar(check, "SELECT lock_default_mode || '|' || lock_default_years || '|' || COALESCE(max_retention_days, '') || '|' || COALESCE(max_retention_years, '') || '|' || write_once || '|' || COALESCE(quota_bytes, '') FROM buckets"));
        Assert.Equal("b||1300", Scalar(check, "SELECT bucket || '|' || access_key_id || '|' || bytes FROM usage"));
    }

    [Fact]
    public void Open_Version3Store_MigratesToExactlyTheSchemaOfANewStoreWithNoApprovals()
    {
        using var folder = new TemporaryFolder();
        var migrated = folder.Combine("v3.db");
        using (var connection = new SqliteConnection($"Data Source={migrated};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);" + MetadataDatabase.SchemaV1 + MetadataDatabase.MigrationV2 + MetadataDatabase.MigrationV3
                + "INSERT INTO meta(name, value) VALUES ('schema_version', '3');";
            command.ExecuteNonQuery();
        }

        MetadataDatabase.Open(migrated, create: false).Dispose();
        var fresh = folder.Combine("new.db");
        MetadataDatabase.Open(fresh, create: true).Dispose();

        Assert.Equal(Dump(fresh), Dump(migrated));
        using var check = new SqliteConnection($"Data Source={migrated};Pooling=False");
        check.Open();
        Assert.Equal("4", Scalar(check, "SELECT value FROM meta WHERE name = 'schema_version'"));
        Assert.Equal("0", Scalar(check, "SELECT COUNT(*) FROM approvals"));
    }

    private static string Dump(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";
        using var reader = command.ExecuteReader();
        var dump = new StringBuilder();
        while (reader.Read())
        {
            dump.Append(reader.GetString(0)).Append('|').Append(reader.GetString(1)).Append('|').Append(reader.GetString(2)).Append('\n');
        }

        return dump.ToString();
    }

    [Fact]
    public void SchemaV1AndMigrationV2_Store_CreatesExactlyTheV2Objects()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("v2.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);" + MetadataDatabase.SchemaV1 + MetadataDatabase.MigrationV2;
            command.ExecuteNonQuery();
        }

        var (names, dump) = Objects(path);

        Assert.Equal(
            [
                "index uploads_by_key on uploads", "index versions_by_id on versions", "index versions_by_key on versions",
                "index versions_latest on versions", "table access_keys on access_keys", "table buckets on buckets",
                "table meta on meta", "table parts on parts", "table segments on segments", "table uploads on uploads",
                "table versions on versions",
            ],
            names);
        Assert.Equal("fbb2ae4dd53a660c4566f81f766e56a9b9eb9d22f42598e73273d62ff513aec5", Sha256(dump));
    }

    [Fact]
    public void Open_NewStore_RecordsSchemaVersionAndCreatesExactlyTheV4Objects()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("meta", "vault.db");
        MetadataDatabase.Open(path, create: true).Dispose();

        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            Assert.Equal("4", Scalar(connection, "SELECT value FROM meta WHERE name = 'schema_version'"));
            Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        }

        var (names, dump) = Objects(path);

        Assert.Equal(
            [
                "index uploads_by_key on uploads", "index versions_by_id on versions", "index versions_by_key on versions",
                "index versions_latest on versions", "table access_keys on access_keys", "table approvals on approvals",
                "table buckets on buckets", "table meta on meta", "table parts on parts", "table segments on segments",
                "table uploads on uploads", "table usage on usage", "table versions on versions",
            ],
            names);

        // What SQLite itself recorded for every table and index (its stored CREATE text), including the meta table
        // that lives outside SchemaV1: a change of column, constraint or index anywhere shows up here.
        Assert.Equal("8052ba3a996e6e4fda0dc4e5e137090a23e25f188fb489493a70b69a5bc50b71", Sha256(dump));
    }

    private static (List<string> Names, string Dump) Objects(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var names = new List<string>();
        var dump = new StringBuilder();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add($"{reader.GetString(0)} {reader.GetString(1)} on {reader.GetString(2)}");
            dump.Append(reader.GetString(0)).Append('|').Append(reader.GetString(1)).Append('|').Append(reader.GetString(2)).Append('|')
                .Append(reader.GetString(3).ReplaceLineEndings("\n")).Append('\n');
        }

        return (names, dump.ToString());
    }

    [Fact]
    public void Open_NewStore_FileIsOwnerReadWriteOnly()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("meta", "vault.db");

        MetadataDatabase.Open(path, create: true).Dispose();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Open_StoreWithOtherSchemaVersion_IsRefused()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("vault.db");
        MetadataDatabase.Open(path, create: true).Dispose();
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE meta SET value = '5' WHERE name = 'schema_version'";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidOperationException>(() => MetadataDatabase.Open(path, create: false));

        Assert.Contains("schema version 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingStoreWithoutCreate_IsRefusedAndCreatesNothing()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("meta", "vault.db");

        Assert.Throws<InvalidOperationException>(() => MetadataDatabase.Open(path, create: false));

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void VaultLayout_Paths_AreFrozen()
    {
        var layout = new VaultLayout("/srv/vault");

        Assert.Equal("/srv/vault", layout.Root);
        Assert.Equal("/srv/vault/vault.json", layout.MarkerFile);
        Assert.Equal("/srv/vault/meta", layout.MetadataDirectory);
        Assert.Equal("/srv/vault/meta/vault.db", layout.MetadataDatabase);
        Assert.Equal("/srv/vault/objects", layout.ObjectsDirectory);
        Assert.Equal("/srv/vault/tmp", layout.StagingDirectory);
        Assert.Equal("/srv/vault/tls", layout.TlsDirectory);
        Assert.Equal("/srv/vault/objects/3f", layout.ObjectFolder("3f0123456789abcdef0123456789abcd"));
        Assert.Equal("/srv/vault/objects/3f/3f0123456789abcdef0123456789abcd", layout.ObjectPath("3f0123456789abcdef0123456789abcd"));
    }

    /// <summary>Added in layout version 1 as a new folder older readers ignore (docs/vault-storage.md, crash analysis).</summary>
    [Fact]
    public void VaultLayout_QuarantinePaths_AreFrozen()
    {
        var layout = new VaultLayout("/srv/vault");

        Assert.Equal("/srv/vault/quarantine", layout.QuarantineDirectory);
        Assert.Equal("/srv/vault/quarantine/3f0123456789abcdef0123456789abcd", layout.QuarantinePath("3f0123456789abcdef0123456789abcd"));
    }

    [Fact]
    public void VaultLayout_RelativeRoot_IsMadeAbsolute()
    {
        var layout = new VaultLayout("data/../vault");

        Assert.Equal(Path.GetFullPath("vault"), layout.Root);
    }

    [Fact]
    public void VersioningState_Numbers_AreFrozen()
    {
        // Stored in buckets.versioning.
        Assert.Equal(0, (int)VersioningState.Unversioned);
        Assert.Equal(1, (int)VersioningState.Enabled);
        Assert.Equal(2, (int)VersioningState.Suspended);
        Assert.Equal(3, Enum.GetValues<VersioningState>().Length);
    }

    [Fact]
    public void Role_NumbersAndStoredNames_AreFrozen()
    {
        // access_keys.roles holds Role.ToString(): the names are the format, the numbers must not drift either.
        Assert.Equal(0, (int)Role.None);
        Assert.Equal(1, (int)Role.Admin);
        Assert.Equal(2, (int)Role.Backup);
        Assert.Equal(4, (int)Role.Reader);
        Assert.Equal(8, (int)Role.Maintenance);
        Assert.Equal(5, Enum.GetValues<Role>().Length);
        Assert.Equal("Admin", Role.Admin.ToString());
        Assert.Equal("Backup, Reader", (Role.Backup | Role.Reader).ToString());
        Assert.Equal("Admin, Backup, Reader, Maintenance", (Role.Admin | Role.Backup | Role.Reader | Role.Maintenance).ToString());
        Assert.Equal(Role.Backup | Role.Maintenance, Enum.Parse<Role>("Backup, Maintenance"));
    }

    [Fact]
    public void StoredHeadersJson_Write_IsFrozen()
    {
        // versions.headers and uploads.headers.
        var headers = new StoredHeaders("text/plain", "gzip", "attachment", "en", "no-cache", "0", [new("a", "1"), new("b", "é")]);

        Assert.Equal(
            """{"ContentType":"text/plain","ContentEncoding":"gzip","ContentDisposition":"attachment","ContentLanguage":"en","CacheControl":"no-cache","Expires":"0","Meta":[["a","1"],["b","\u00E9"]]}""",
            StoredHeadersJson.Write(headers));
        Assert.Equal(
            """{"ContentType":null,"ContentEncoding":null,"ContentDisposition":null,"ContentLanguage":null,"CacheControl":null,"Expires":null,"Meta":[]}""",
            StoredHeadersJson.Write(StoredHeaders.Empty));
    }

    [Fact]
    public void StoredHeadersJson_ReadOfV1Document_RestoresEveryField()
    {
        var headers = StoredHeadersJson.Read("""{"ContentType":"text/plain","ContentEncoding":null,"ContentDisposition":"inline","ContentLanguage":null,"CacheControl":null,"Expires":null,"Meta":[["k","v"]]}""");

        Assert.Equal("text/plain", headers.ContentType);
        Assert.Equal("inline", headers.ContentDisposition);
        Assert.Null(headers.ContentEncoding);
        Assert.Equal([new KeyValuePair<string, string>("k", "v")], headers.UserMetadata);
    }

    [Theory]
    [InlineData(0L, "0000000000")]
    [InlineData(1469918176385L, "01ARYZ6S41")] // the ULID specification's example
    [InlineData(1748779200000L, "01JWNNSVG0")] // 2025-06-01T12:00:00Z
    [InlineData(253402300799999L, "76EZ91ZPZZ")] // the last millisecond of year 9999
    public void VersionIdsNew_Prefix_IsCrockfordBase32OfMillisecondTime(long ms, string prefix)
    {
        var id = VersionIds.New(DateTimeOffset.FromUnixTimeMilliseconds(ms));

        Assert.Equal(prefix, id[..10]);
    }

    [Fact]
    public void VersionIdsNew_Always_Is26CrockfordBase32Characters()
    {
        for (var i = 0; i < 200; i++)
        {
            var id = VersionIds.New(TestVault.Now);

            Assert.Matches("^[0-7][0-9A-HJKMNP-TV-Z]{25}$", id);
            Assert.True(VersionIds.IsWellFormed(id));
        }
    }

    [Fact]
    public void VersionIdsNew_SameMillisecond_DiffersInRandomPart()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => VersionIds.New(TestVault.Now)).ToList();

        Assert.Equal(1000, ids.ToHashSet(StringComparer.Ordinal).Count);
        Assert.Single(ids.Select(id => id[..10]).Distinct(StringComparer.Ordinal));
    }

    [Fact]
    public void VersionIdsNew_LaterMillisecond_SortsAfter()
    {
        var earlier = VersionIds.New(TestVault.Now);
        var later = VersionIds.New(TestVault.Now.AddMilliseconds(1));

        Assert.True(string.CompareOrdinal(earlier, later) < 0);
    }

    [Theory]
    [InlineData("null", true)]
    [InlineData("01ARZ3NDEKTSV4RRFFQ69G5FAV", true)]
    [InlineData("01arz3ndektsv4rrffq69g5fav", false)]
    [InlineData("01ARZ3NDEKTSV4RRFFQ69G5FA", false)]
    [InlineData("01ARZ3NDEKTSV4RRFFQ69G5FAVX", false)]
    [InlineData("01ARZ3NDEKTSV4RRFFQ69G5FAU", false)]
    [InlineData("01ARZ3NDEKTSV4RRFFQ69G5FAI", false)]
    [InlineData("", false)]
    [InlineData("NULL", false)]
    public void VersionIdsIsWellFormed_Candidates_AcceptsOnlyIssuableIds(string candidate, bool expected)
    {
        Assert.Equal(expected, VersionIds.IsWellFormed(candidate));
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }
}
