using System.Text.Json;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tls;

namespace Ztdr.Vault.Setup;

/// <summary>What <c>ztdr-vault init</c> was asked to create.</summary>
public sealed record InitOptions(string DataDirectory, string CredentialsFile, string? Bucket, IReadOnlyList<string> Hostnames);

/// <summary>What init created: the keys (secrets went only to the credentials file) and the bucket.</summary>
public sealed record InitResult(string DataDirectory, string AdminAccessKeyId, string? Bucket, string CaCertificate);

/// <summary>
/// Creates a vault data folder: 0700 folder, TLS CA and server certificate, metadata store, an admin key written
/// only to the credentials file (0600), optionally a versioned bucket, and last the marker that makes it a vault.
/// Refuses an existing vault or a non-empty folder and changes nothing then; a failure part-way removes what it made.
/// </summary>
public static class VaultInitializer
{
    public const string AdminProfile = "admin";

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

        if (File.Exists(credentialsPath) && CredentialsFile.Read(credentialsPath).Any(e => e.Profile == AdminProfile))
        {
            throw new InitException($"{credentialsPath} already has an [{AdminProfile}] profile; choose another --credentials-out (init changed nothing)");
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
            string adminKeyId;
            string adminSecret;
            using (var store = VaultStore.Create(layout, time))
            {
                adminKeyId = AccessKeys.NewAccessKeyId();
                adminSecret = AccessKeys.NewSecretAccessKey();
                await store.Keys.AddAsync(adminKeyId, adminSecret, Role.Admin, ["*"], cancellationToken);
                if (options.Bucket is not null)
                {
                    await store.Buckets.CreateAsync(options.Bucket, VersioningState.Enabled, objectLock: false, cancellationToken);
                }
            }

            var marker = JsonSerializer.SerializeToUtf8Bytes(new { format = VaultLayout.FormatVersion, created = time.GetUtcNow() });
            DurableFile.Write(layout.MarkerFile, marker, UnixFileMode.UserRead | UnixFileMode.UserWrite, overwrite: false);
            CredentialsFile.Append(credentialsPath, new CredentialsFileEntry(AdminProfile, adminKeyId, adminSecret));
            return new InitResult(layout.Root, adminKeyId, options.Bucket, Path.Combine(layout.TlsDirectory, TlsBootstrap.CaCertificateFileName));
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
