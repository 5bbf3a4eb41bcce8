using System.Text;
using System.Text.Json;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>
/// The end-to-end case with the ztdr executable and the backup key against a real vault: a generated tree of
/// many small files, large files, exact and near duplicates, symlinks, empty folders, hard links and odd names (one
/// not UTF-8) is backed up, restored and compared byte for byte and by metadata with find(1) and diff(1), which see
/// names as bytes; a second backup uploads nothing; verify reads every byte back.
/// </summary>
public sealed class GeneratedTreeAgainstVaultTests() : VaultCliTest("cli-generated")
{
    private const int SmallFiles = 1200;
    [Fact]
    public async Task BackupRestoreVerify_GeneratedTree_IdenticalBytesAndMetadata_SecondBackupUploadsNothing()
    {
        var environment = Environment();
        var source = await CreateTreeAsync(Scratch.Combine("data"));
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);

        var first = await CliProcess.RunAsync(environment, "backup", "--json", source);
        Assert.True(first.ExitCode == 0, first.ToString());
        long files;
        using (var summary = JsonDocument.Parse(first.StandardOutput))
        {
            files = summary.RootElement.GetProperty("files").GetInt64();
            Assert.Empty(summary.RootElement.GetProperty("errors").EnumerateArray());
            Assert.Empty(summary.RootElement.GetProperty("skipped").EnumerateArray());
        }

        // Small files, five large ones, the odd names and the two names of the hard link.
        Assert.Equal(SmallFiles + 5 + 6 + 2, files);

        var target = Scratch.Combine("restored");
        var restore = await CliProcess.RunAsync(environment, "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var restored = BackedUpPath.Under(target, source);

        var diff = await ProcessRunner.RunAsync("diff", ["-r", "--no-dereference", source, restored]);
        Assert.True(diff.ExitCode == 0, diff.ToString());
        Assert.Equal(await MetadataAsync(source), await MetadataAsync(restored));
        var rawName = await ProcessRunner.RunAsync("bash", ["-c", "test -f \"$1\"$'/names/caf\\xe9' && test \"$(stat -c %h \"$1\"/links/a)\" = 2 && test \"$1\"/links/a -ef \"$1\"/links/b", "_", restored]);
        Assert.True(rawName.ExitCode == 0, "the latin-1 name restores with its exact bytes and the hard link shares one inode: " + rawName);

        var second = await CliProcess.RunAsync(environment, "backup", "--json", source);
        Assert.True(second.ExitCode == 0, second.ToString());
        using (var summary = JsonDocument.Parse(second.StandardOutput))
        {
            Assert.Equal(files, summary.RootElement.GetProperty("filesUnchanged").GetInt64());

            // The restore added a folder next to the source, which changed the metadata of the folder above it: the
            // trees from the root down to that folder's are new (one per folder above the source), in one tree pack.
            Assert.Equal(BackedUpPath.FoldersAbove(source), summary.RootElement.GetProperty("newBlobs").GetInt64());
            Assert.Equal(1, summary.RootElement.GetProperty("packsUploaded").GetInt64());
        }

        var verify = await CliProcess.RunAsync(environment, "verify", "--read-data");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.StartsWith("no errors found: 2 snapshots", verify.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>Every entry's relative path, type, mode, owner, mtime (ns), size (files), link target and link count.</summary>
    private static async Task<string[]> MetadataAsync(string root)
    {
        var find = await ProcessRunner.RunAsync("find", [root, "-printf", "%P\t%y\t%m\t%U\t%G\t%T@\t%s\t%l\t%n\\0"]);
        Assert.True(find.ExitCode == 0, find.ToString());
        return [.. find.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => f[1] == "d" ? string.Join('\t', f[..6]) + "\t-\t" + string.Join('\t', f[7..]) : string.Join('\t', f))
            .Order(StringComparer.Ordinal)];
    }

    private static async Task<string> CreateTreeAsync(string root)
    {
        var random = new Random(1234);
        var words = Enumerable.Range(0, 400).Select(i => Convert.ToHexStringLower(BitConverter.GetBytes(i * 2654435761u))).ToArray();
        for (var i = 0; i < SmallFiles; i++)
        {
            var folder = Path.Combine(root, "small", $"d{i % 40:00}");
            Directory.CreateDirectory(folder);
            var text = new StringBuilder();
            var size = random.Next(0, 16 * 1024);
            while (text.Length < size)
            {
                text.Append(words[random.Next(words.Length)]).Append(random.Next(12) == 0 ? '\n' : ' ');
            }

            await File.WriteAllTextAsync(Path.Combine(folder, $"f{i:0000}.txt"), text.ToString());
        }

        var large = Path.Combine(root, "large");
        Directory.CreateDirectory(large);
        var noise = new byte[12 * 1024 * 1024];
        random.NextBytes(noise);
        await File.WriteAllBytesAsync(Path.Combine(large, "random.bin"), noise);
        await File.WriteAllBytesAsync(Path.Combine(large, "random-copy.bin"), noise);
        noise[5 * 1024 * 1024] ^= 0xff;
        await File.WriteAllBytesAsync(Path.Combine(large, "random-near.bin"), noise);
        await File.WriteAllTextAsync(Path.Combine(large, "text.log"), string.Concat(Enumerable.Range(0, 300_000).Select(i => words[i % words.Length] + "\n")));
        await File.WriteAllBytesAsync(Path.Combine(large, "pages.db"), [.. Enumerable.Range(0, 1024).SelectMany(p => Page(p))]);

        Directory.CreateDirectory(Path.Combine(root, "empty", "nested", "deeper"));
        Directory.CreateDirectory(Path.Combine(root, "links"));
        Directory.CreateDirectory(Path.Combine(root, "names"));

        // What .NET cannot name (bytes that are not UTF-8) and what it cannot make (hard links), with the shell.
        var script = """
            set -e
            cd "$1"
            printf 'latin-1' > names/caf$'\xe9'
            printf 'spaces' > 'names/with  spaces '
            printf 'emoji' > names/😀-ü-名前
            printf 'dash' > names/-starts-with-dash
            printf 'newline' > names/$'line\nbreak'
            printf 'quote' > names/"it's"
            printf 'linked' > links/a
            ln links/a links/b
            ln -s ../large/random.bin links/relative
            ln -s /etc/hostname links/absolute
            ln -s does-not-exist links/dangling
            chmod 600 names/caf$'\xe9'
            chmod 755 'names/with  spaces '
            chmod 444 names/-starts-with-dash
            chmod 700 empty/nested
            touch -h -d '2001-02-03 04:05:06.123456789' links/relative
            touch -d '1999-12-31 23:59:59.5' large/text.log empty/nested/deeper
            """;
        var made = await ProcessRunner.RunAsync("bash", ["-c", script, "_", root]);
        Assert.True(made.ExitCode == 0, made.ToString());
        return root;
    }

    private static byte[] Page(int number)
    {
        var page = new byte[8192];
        BitConverter.TryWriteBytes(page, number);
        for (var row = 16; row < page.Length - 64; row += 64)
        {
            Encoding.ASCII.GetBytes($"row {number}:{row} name-{number % 97} value {row * 31 % 1000}").CopyTo(page, row);
        }

        return page;
    }

    private Dictionary<string, string> Environment() => EnvironmentFor(Vault, "generated");
}
