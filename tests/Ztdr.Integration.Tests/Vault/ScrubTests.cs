using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3.Model;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Vault;

/// <summary>ztdr-vault scrub against data folders written by a real vault through AWSSDK.S3.</summary>
public sealed class ScrubTests
{
    [Fact]
    public async Task Scrub_OneDataFileCorruptedOnDisk_ExitsOneAndNamesTheKey()
    {
        await using var vault = await VaultProcess.StartAsync();
        var victim = RandomNumberGenerator.GetBytes(300_000);
        using (var s3 = vault.CreateClient())
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "intact/one.bin", InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(1000)) });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "packs/victim.pack", InputStream = new MemoryStream(victim) });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "intact/two.bin", InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(2000)) });
        }

        Assert.Equal(0, await vault.StopAsync());
        FlipOneByte(DataFileHolding(vault.DataDirectory, victim), 150_000);

        var text = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.DataDirectory]);
        Assert.True(text.ExitCode == 1, text.ToString());
        var line = Assert.Single(text.StandardOutput.Split('\n'), l => l.StartsWith("ChecksumMismatch", StringComparison.Ordinal));
        Assert.Contains("backups/packs/victim.pack", line, StringComparison.Ordinal);
        Assert.DoesNotContain("intact/", text.StandardOutput, StringComparison.Ordinal);

        var json = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.DataDirectory, "--json"]);
        Assert.Equal(1, json.ExitCode);
        using var document = JsonDocument.Parse(json.StandardOutput);
        Assert.Equal(3, document.RootElement.GetProperty("versionsChecked").GetInt64());
        var finding = Assert.Single(document.RootElement.GetProperty("findings").EnumerateArray().ToList());
        Assert.Equal("packs/victim.pack", finding.GetProperty("key").GetString());
        Assert.Equal("ChecksumMismatch", finding.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task Scrub_CleanVault_ExitsZeroWhetherServingOrStopped()
    {
        // Two versions of one name: the bucket needs S3's overwrite semantics, not init's write-once default.
        await using var vault = await VaultProcess.StartAsync(initArguments: ["--no-write-once"]);
        using (var s3 = vault.CreateClient())
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "a", ContentBody = "alpha" });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "a", ContentBody = "alpha, second version" });
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "b", InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(1 << 20)) });

            var whileServing = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.DataDirectory, "--rate", "100"]);
            Assert.True(whileServing.ExitCode == 0, whileServing.ToString());
            Assert.Contains("clean", whileServing.StandardOutput, StringComparison.Ordinal);

            // The scrub only read: the vault still serves and accepts writes.
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "c", ContentBody = "after the scrub" });
            using var get = await s3.GetObjectAsync("backups", "a");
            Assert.Equal("alpha, second version", await new StreamReader(get.ResponseStream).ReadToEndAsync());
        }

        Assert.Equal(0, await vault.StopAsync());
        var stopped = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.DataDirectory, "--json"]);
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        using var document = JsonDocument.Parse(stopped.StandardOutput);
        Assert.Equal(4, document.RootElement.GetProperty("versionsChecked").GetInt64());
        Assert.True(document.RootElement.GetProperty("clean").GetBoolean());
    }

    [Fact]
    public async Task Scrub_NotAVault_ExitsTwoWithOneLine()
    {
        using var temp = new TemporaryDirectory("scrub");
        var result = await VaultProcess.RunVaultAsync(["scrub", "--data", temp.Combine("nothing-here")]);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StandardError.Trim().Split('\n'));
    }

    /// <summary>The data file whose bytes are exactly <paramref name="body"/>: found by content, not through metadata.</summary>
    private static string DataFileHolding(string dataDirectory, byte[] body) =>
        Directory.EnumerateFiles(Path.Combine(dataDirectory, "objects"), "*", SearchOption.AllDirectories)
            .Single(path => new FileInfo(path).Length == body.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(body));

    /// <summary>Bit rot, simulated: the file is made writable for the edit and returned to 0400, as the vault left it.</summary>
    private static void FlipOneByte(string path, long offset)
    {
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = offset;
            var value = stream.ReadByte();
            stream.Position = offset;
            stream.WriteByte((byte)(value ^ 0x01));
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead);
    }
}
