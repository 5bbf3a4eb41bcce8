using Ztdr.Vault.Identity;
using Ztdr.Vault.Tests.Tls;

namespace Ztdr.Vault.Tests.Identity;

public sealed class CredentialsFileTests : IDisposable
{
    private static readonly CredentialsFileEntry Backup = new("vault-backup", "ZVAAAAAAAAAAAAAAAAA1", "secret-one_0123456789abcdefghijklmnopqrs");
    private static readonly CredentialsFileEntry Reader = new("vault-reader", "ZVBBBBBBBBBBBBBBBBB2", "secret-two_0123456789abcdefghijklmnopqrs");

    private readonly TemporaryFolder _folder = new();

    private string FilePath => _folder.Combine("credentials");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Append_NoFile_CreatesItWithOwnerOnlyMode()
    {
        CredentialsFile.Append(FilePath, Backup);

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(FilePath));
    }

    [Fact]
    public void Append_NoFile_WritesAwsSharedCredentialsFormat()
    {
        CredentialsFile.Append(FilePath, Backup);

        Assert.Equal(
            "[vault-backup]\naws_access_key_id = ZVAAAAAAAAAAAAAAAAA1\naws_secret_access_key = secret-one_0123456789abcdefghijklmnopqrs\n",
            File.ReadAllText(FilePath));
    }

    [Fact]
    public void Read_AfterTwoAppends_ReturnsBothProfilesInOrder()
    {
        CredentialsFile.Append(FilePath, Backup);
        CredentialsFile.Append(FilePath, Reader);

        Assert.Equal([Backup, Reader], CredentialsFile.Read(FilePath));
    }

    [Fact]
    public void Append_ExistingProfileName_ThrowsAndLeavesFileUnchanged()
    {
        CredentialsFile.Append(FilePath, Backup);
        var before = File.ReadAllBytes(FilePath);

        var exception = Assert.Throws<InvalidOperationException>(
            () => CredentialsFile.Append(FilePath, Backup with { AccessKeyId = "ZVCCCCCCCCCCCCCCCCC3" }));

        Assert.Contains("[vault-backup] already exists", exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(FilePath));
    }

    [Fact]
    public void Append_ExistingForeignContent_KeepsItByteForByte()
    {
        const string existing = "# my keys\n[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = wJalr/EXAMPLE\nregion = eu-west-1";
        WriteOwnerOnly(existing);

        CredentialsFile.Append(FilePath, Backup);

        var content = File.ReadAllText(FilePath);
        Assert.StartsWith(existing + "\n\n[vault-backup]\n", content, StringComparison.Ordinal);
        Assert.Equal(["default", "vault-backup"], CredentialsFile.Read(FilePath).Select(entry => entry.Profile));
    }

    [Fact]
    public void Append_ProfileNameUsedByForeignProfile_IsRefused()
    {
        WriteOwnerOnly("[ vault-backup ]\nregion = eu-west-1\n");

        Assert.Throws<InvalidOperationException>(() => CredentialsFile.Append(FilePath, Backup));
    }

    [Fact]
    public void Append_FileReadableByOthers_ThrowsWithoutWritingSecret()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.WriteAllText(FilePath, "[default]\n");
        File.SetUnixFileMode(FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var exception = Assert.Throws<InvalidOperationException>(() => CredentialsFile.Append(FilePath, Backup));

        Assert.Contains("chmod 600", exception.Message, StringComparison.Ordinal);
        Assert.Equal("[default]\n", File.ReadAllText(FilePath));
    }

    [Fact]
    public void Append_PathIsSymlink_ThrowsAndWritesNothingThroughIt()
    {
        // A link planted where the key is going would send the secret to a file of the planter's choosing.
        var target = _folder.Combine("elsewhere");
        File.WriteAllText(target, "[default]\n");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.CreateSymbolicLink(FilePath, target);

        var exception = Assert.Throws<InvalidOperationException>(() => CredentialsFile.Append(FilePath, Backup));

        Assert.Contains("symbolic link", exception.Message, StringComparison.Ordinal);
        Assert.Equal("[default]\n", File.ReadAllText(target));
    }

    [Fact]
    public void Append_DanglingSymlink_ThrowsAndCreatesNoFile()
    {
        var target = _folder.Combine("not-yet");
        File.CreateSymbolicLink(FilePath, target);

        Assert.Throws<InvalidOperationException>(() => CredentialsFile.Append(FilePath, Backup));

        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Append_FileOwnedByAnotherUser_ThrowsAndWritesNothing()
    {
        // Root can write into anyone's file; the other user would then read the secret. (Tests run as root, as CI does.)
        WriteOwnerOnly("[default]\n");
        ChangeOwner(FilePath, Nobody);

        var exception = Assert.Throws<InvalidOperationException>(() => CredentialsFile.Append(FilePath, Backup));

        Assert.Contains("owned by another user", exception.Message, StringComparison.Ordinal);
        Assert.Equal("[default]\n", File.ReadAllText(FilePath));
    }

    [Fact]
    public void Append_FileLockedByAnotherWriter_ThrowsIOExceptionAndWritesNothing()
    {
        WriteOwnerOnly("[default]\n");
        using (var other = new FileStream(FilePath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Throws<IOException>(() => CredentialsFile.Append(FilePath, Backup));
        }

        Assert.Equal("[default]\n", File.ReadAllText(FilePath));
    }

    [Theory]
    [InlineData("bad]name")]
    [InlineData("two\nlines")]
    [InlineData(" padded")]
    [InlineData("")]
    public void Append_UnwritableProfileName_ThrowsBeforeCreatingFile(string profile)
    {
        Assert.Throws<ArgumentException>(() => CredentialsFile.Append(FilePath, Backup with { Profile = profile }));

        Assert.False(File.Exists(FilePath));
    }

    [Fact]
    public void Append_SecretWithNewline_ThrowsBeforeCreatingFile()
    {
        Assert.Throws<ArgumentException>(
            () => CredentialsFile.Append(FilePath, Backup with { SecretAccessKey = "abc\n[admin]" }));

        Assert.False(File.Exists(FilePath));
    }

    [Fact]
    public void Read_IncompleteProfilesAndComments_ReturnsOnlyCompleteProfiles()
    {
        WriteOwnerOnly("""
            [default]
            region = eu-west-1
            ; comment = ignored
            [full]
            aws_access_key_id=ZVAAAAAAAAAAAAAAAAA1
            # aws_secret_access_key = commented-out
            aws_secret_access_key = real
            """);

        var entry = Assert.Single(CredentialsFile.Read(FilePath));

        Assert.Equal(new CredentialsFileEntry("full", "ZVAAAAAAAAAAAAAAAAA1", "real"), entry);
    }

    [Fact]
    public void ToString_Entry_DoesNotRevealSecret()
    {
        var text = Backup.ToString();

        Assert.Contains("ZVAAAAAAAAAAAAAAAAA1", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Backup.SecretAccessKey, text, StringComparison.Ordinal);
    }

    private const int Nobody = 65534;

    private static void ChangeOwner(string path, int uid)
    {
        if (NativeMethods.Chown(path, uid, -1) != 0)
        {
            throw new IOException($"chown {path} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}); these tests run as root");
        }
    }

    private void WriteOwnerOnly(string content)
    {
        File.WriteAllText(FilePath, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static class NativeMethods
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown", SetLastError = true)]
        [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
        public static extern int Chown([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, int owner, int group);
    }
}
