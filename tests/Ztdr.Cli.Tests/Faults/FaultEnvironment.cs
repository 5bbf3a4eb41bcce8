using System.Globalization;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Faults;

/// <summary>What the fault tests share: the ztdr environment for a repository on a vault, and a look at the bucket that does not go through ztdr.</summary>
internal static class FaultEnvironment
{
    public const string Password = VaultCliTest.Password;

    /// <summary>The environment of a ztdr process using <paramref name="prefix"/> in the vault's bucket with the backup key.</summary>
    public static Dictionary<string, string> For(VaultProcess vault, string prefix, string profile = "backup")
    {
        var environment = VaultCliTest.EnvironmentFor(vault, prefix, profile);

        // A failing run gives up after a bounded time; the defaults (4 retries, 10 s connect) are for the field.
        environment["ZTDR_S3_MAX_RETRIES"] = "2";
        environment["ZTDR_S3_CONNECT_TIMEOUT"] = "2";
        return environment;
    }

    /// <summary>Every object version under <paramref name="prefix"/> with its size, read with the all-roles key.</summary>
    public static async Task<IReadOnlyList<(string Key, long Size)>> ListAsync(VaultProcess vault, string prefix)
    {
        using var client = vault.CreateClient();
        var found = new List<(string, long)>();
        var request = new ListVersionsRequest { BucketName = VaultProcess.DefaultBucket, Prefix = prefix };
        while (true)
        {
            var page = await client.ListVersionsAsync(request);
            found.AddRange((page.Versions ?? []).Select(v => (v.Key, v.Size ?? 0)));
            if (page.IsTruncated != true)
            {
                return found;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }

    /// <summary>The lines ztdr itself wrote to stderr ("ztdr: ..."), without progress lines.</summary>
    public static string[] ZtdrLines(ProcessResult result) =>
        [.. result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("ztdr: ", StringComparison.Ordinal))];

    /// <summary>The <c>--json</c> error object, the last line on stderr: its message and exit code.</summary>
    public static (string Message, int ExitCode) JsonError(ProcessResult result)
    {
        var last = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using var json = System.Text.Json.JsonDocument.Parse(last);
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
        var error = json.RootElement.GetProperty("error");
        return (error.GetProperty("message").GetString()!, error.GetProperty("exitCode").GetInt32());
    }

    /// <summary>The repository URL of <paramref name="prefix"/> in the default bucket, reached through <paramref name="port"/> (a vault's or a proxy's).</summary>
    public static string Url(int port, string prefix) =>
        string.Format(CultureInfo.InvariantCulture, "s3:https://127.0.0.1:{0}/{1}/{2}", port, VaultProcess.DefaultBucket, prefix);

    /// <summary>Zone B's password: a second zone shares no password (or master key) with the first.</summary>
    public const string ZoneBPassword = "zone b has its own password";

    /// <summary>The environment of a ztdr process on zone B's repository (prefix <c>zone-b</c>), reached through <paramref name="port"/>.</summary>
    public static Dictionary<string, string> ZoneB(VaultProcess zoneB, int port)
    {
        var environment = For(zoneB, "zone-b");
        environment["ZTDR_REPOSITORY"] = Url(port, "zone-b");
        environment["ZTDR_PASSWORD"] = ZoneBPassword;
        return environment;
    }

    /// <summary><c>ztdr copy</c> into zone B through <paramref name="port"/>, with zone B's own password file (written under <paramref name="scratch"/>), key and CA.</summary>
    public static string[] CopyToZoneB(TemporaryDirectory scratch, VaultProcess zoneB, int port, params string[] extra)
    {
        var passwordFile = scratch.Combine("zone-b-password");
        File.WriteAllText(passwordFile, ZoneBPassword + "\n");
        return
        [
            "copy",
            "--to-repo", Url(port, "zone-b"),
            "--to-password-file", passwordFile,
            "--to-profile", "backup",
            "--to-credentials-file", zoneB.CredentialsFile,
            "--to-ca-bundle", zoneB.CaBundle,
            .. extra,
        ];
    }

    /// <summary><paramref name="count"/> files of <paramref name="size"/> random bytes: incompressible, so bytes stored are bytes read.</summary>
    public static string CreateIncompressibleTree(string root, int count, int size)
    {
        Directory.CreateDirectory(root);
        var buffer = new byte[size];
        for (var i = 0; i < count; i++)
        {
            RandomNumberGenerator.Fill(buffer);
            File.WriteAllBytes(Path.Combine(root, $"random{i:D2}.bin"), buffer);
        }

        return root;
    }

    /// <summary>Asserts that <paramref name="restored"/> holds exactly the files of <paramref name="source"/> (flat trees), byte for byte.</summary>
    public static void AssertSameFiles(string source, string restored)
    {
        var expected = Directory.GetFiles(source).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var actual = Directory.GetFiles(restored).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, actual);
        foreach (var name in expected)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(source, name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(restored, name!))), $"{name} differs after restore");
        }
    }

    /// <summary>
    /// Asserts that a failed restore left nothing that looks complete and is not: no temporary file, and every file
    /// under its real name is the whole file.
    /// </summary>
    public static void AssertNoPartialFiles(string source, string restored)
    {
        if (!Directory.Exists(restored))
        {
            return;
        }

        Assert.Empty(Directory.EnumerateFiles(restored, "*.ztdr-restore", SearchOption.AllDirectories));
        foreach (var file in Directory.EnumerateFiles(restored))
        {
            Assert.True(File.ReadAllBytes(Path.Combine(source, Path.GetFileName(file))).AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"{file} is under its real name but incomplete");
        }
    }

    /// <summary>
    /// Flips the middle byte of the vault's data file holding object <paramref name="key"/> (docs/vault-storage.md:
    /// objects/&lt;2 hex&gt;/&lt;file id&gt;, mode 0400; found by content, as a failing disk or root on the appliance would
    /// leave it). The vault's own checksum no longer matches: what the client does about it is under test.
    /// </summary>
    public static async Task TamperOnDiskAsync(VaultProcess vault, string key)
    {
        using var client = vault.CreateClient();
        byte[] expected;
        using (var response = await client.GetObjectAsync(VaultProcess.DefaultBucket, key))
        using (var buffer = new MemoryStream())
        {
            await response.ResponseStream.CopyToAsync(buffer);
            expected = buffer.ToArray();
        }

        var file = Directory.EnumerateFiles(Path.Combine(vault.DataDirectory, "objects"), "*", SearchOption.AllDirectories)
            .Single(f => new FileInfo(f).Length == expected.Length && File.ReadAllBytes(f).AsSpan().SequenceEqual(expected));
        var mode = File.GetUnixFileMode(file);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(file, bytes);
        File.SetUnixFileMode(file, mode);
    }
}
