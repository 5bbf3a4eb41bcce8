using System.Text.Json;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tls;

namespace Ztdr.Vault.Setup;

/// <summary>What <c>ztdr-vault init</c> was asked to create.</summary>
public sealed record InitOptions(string DataDirectory, string CredentialsFile, string? Bucket, IReadOnlyList<string> Hostnames)
{
    /// <summary>The bucket's default retention rule; none unless asked for (Veeam and others want no default).</summary>
    public DefaultRetention? DefaultRetention { get; init; }

    /// <summary>
    /// The bucket's limits: by default a 10-year maximum retention, write-once names (a backup bucket's names are
    /// never meant to get a second version; docs/s3-compatibility.md) and no quota.
    /// </summary>
    public BucketLimits BucketLimits { get; init; } = new(MaxRetention.Default, WriteOnce: true, QuotaBytes: null);

    /// <summary>Quota of the backup key init issues, in stored bytes (null: none).</summary>
    public long? BackupKeyQuotaBytes { get; init; }
}

/// <summary>What init created: the keys by profile (secrets went only to the credentials file) and the bucket.</summary>
public sealed record InitResult(string DataDirectory, IReadOnlyList<(string Profile, string AccessKeyId, Role Roles)> Keys, string? Bucket, string CaCertificate)
{
    /// <summary>The public key that verifies the vault's audit checkpoints; the operator keeps a copy off the host.</summary>
    public string CheckpointPublicKey { get; init; } = string.Empty;

    public string CheckpointKeyFingerprint { get; init; } = string.Empty;
}

/// <summary>
/// Creates a vault data folder: 0700 folder, TLS CA and server certificate, metadata store, the trusted clock, one key
/// per role (admin, backup, reader, maintenance) written only to the credentials file (0600), optionally a bucket with
/// versioning and Object Lock, and last the marker that makes it a vault.
/// Refuses an existing vault or a non-empty folder and changes nothing then; a failure part-way removes what it made.
/// </summary>
public static class VaultInitializer
{
    public const string AdminProfile = "admin";

    /// <summary>The profiles init writes, one per role; least privilege means each job gets its own key.</summary>
    public static readonly IReadOnlyList<(string Profile, Role Role)> Profiles =
        [("admin", Role.Admin), ("backup", Role.Backup), ("reader", Role.Reader), ("maintenance", Role.Maintenance)];

    public static async Task<InitResult> InitializeAsync(InitOptions options, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var layout = new VaultLayout(options.DataDirectory);
        if (layout.IsInitialized)
        {
            throw new InitException($"{layout.Root} is already a vault data folder; init changes nothing");
        }

        if (Directory.Exists(layout.Root) && Directory.EnumerateFileSystemEntries(layout.Root).Any())
        {
            throw new InitException($"{layout.Root} exists and is not empty; init needs a new or empty folder and changed nothing");
        }

        var credentialsPath = Path.GetFullPath(options.CredentialsFile);
        if (credentialsPath.StartsWith(layout.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InitException("--credentials-out must be outside the data folder: the vault never keeps a copy of the secrets it hands out");
        }

        if (File.Exists(credentialsPath) && CredentialsFile.Read(credentialsPath).FirstOrDefault(e => Profiles.Any(p => p.Profile == e.Profile)) is { } clash)
        {
            throw new InitException($"{credentialsPath} already has a [{clash.Profile}] profile; choose another --credentials-out (init changed nothing)");
        }

        if (options.Bucket is not null && !Api.BucketNames.IsValid(options.Bucket))
        {
            throw new InitException($"'{options.Bucket}' is not a valid bucket name (3-63 lower-case letters, digits, '.' or '-')");
        }

        var createdFolder = !Directory.Exists(layout.Root);
        Directory.CreateDirectory(layout.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(layout.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            TlsBootstrap.Initialize(layout.TlsDirectory, options.Hostnames, time);
            var keys = new List<(string Profile, string AccessKeyId, string Secret, Role Roles)>();
            using (var store = VaultStore.Create(layout, time))
            {
                // The one moment the wall clock is believed: a new vault's trusted time starts from it and only
                // ever advances with the monotonic clock from here on.
                SecureClock.Initialize(time, new FileTrustedTimeStore(layout.ClockFile), SecureClockSettings.DriftThreshold);
                foreach (var (profile, role) in Profiles)
                {
                    var id = AccessKeys.NewAccessKeyId();
                    var secret = AccessKeys.NewSecretAccessKey();
                    IReadOnlyList<string> scope = role == Role.Admin || options.Bucket is null ? ["*"] : [options.Bucket];
                    await store.Keys.AddAsync(id, secret, role, scope, role == Role.Backup ? options.BackupKeyQuotaBytes : null, cancellationToken);
                    keys.Add((profile, id, secret, role));
                }

                if (options.Bucket is not null)
                {
                    await store.Buckets.CreateAsync(options.Bucket, VersioningState.Enabled, objectLock: true, options.BucketLimits, cancellationToken);
                    if (options.DefaultRetention is not null)
                    {
                        // The clock was initialised from this very wall time a moment ago: it is trusted now.
                        await store.Buckets.SetObjectLockConfigurationAsync(options.Bucket, options.DefaultRetention, new TrustedInstant(time.GetUtcNow(), Trusted: true), cancellationToken);
                    }
                }
            }

            // Created with the vault, so the first checkpoint can be signed at the first start and the public key copied now.
            string fingerprint;
            using (var checkpointKey = CheckpointKey.LoadOrCreate(layout.AuditDirectory, out _))
            {
                fingerprint = checkpointKey.Fingerprint;
            }

            var marker = JsonSerializer.SerializeToUtf8Bytes(new { format = VaultLayout.FormatVersion, created = time.GetUtcNow() });
            DurableFile.Write(layout.MarkerFile, marker, UnixFileMode.UserRead | UnixFileMode.UserWrite, overwrite: false);
            foreach (var key in keys)
            {
                CredentialsFile.Append(credentialsPath, new CredentialsFileEntry(key.Profile, key.AccessKeyId, key.Secret));
            }

            return new InitResult(layout.Root, keys.Select(k => (k.Profile, k.AccessKeyId, k.Roles)).ToList(), options.Bucket, Path.Combine(layout.TlsDirectory, TlsBootstrap.CaCertificateFileName))
            {
                CheckpointPublicKey = new AuditPaths(layout.AuditDirectory).PublicKey,
                CheckpointKeyFingerprint = fingerprint,
            };
        }
        catch
        {
            if (createdFolder)
            {
                Directory.Delete(layout.Root, recursive: true);
            }
            else
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(layout.Root))
                {
                    if (Directory.Exists(entry))
                    {
                        Directory.Delete(entry, recursive: true);
                    }
                    else
                    {
                        File.Delete(entry);
                    }
                }
            }

            throw;
        }
    }
}

/// <summary>An init that was refused; the message says why and what to do.</summary>
public sealed class InitException : Exception
{
    public InitException(string message)
        : base(message)
    {
    }

    public InitException()
    {
    }

    public InitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
