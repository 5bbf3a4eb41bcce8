using System.Text;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Tests.Crypto;

/// <summary>
/// libsodium and Konscious must compute the same Argon2id wherever both apply (one lane, 16-byte salt): a key made
/// through one opens through the other, so the choice of implementation never shows in a repository.
/// </summary>
public sealed class PasswordKdfTests
{
    private static readonly byte[] Salt16 = Enumerable.Range(0x70, 16).Select(i => (byte)i).ToArray();

    [Theory]
    [InlineData(8, 1)] // the smallest Argon2id allows for one lane
    [InlineData(1024, 2)]
    [InlineData(7 * 1024, 5)] // OWASP's floor, the cheapest key init and key add create
    [InlineData(19 * 1024, 2)]
    [InlineData(64 * 1024, 3)] // the default
    public void DeriveWithLibsodium_OneLane_SameBytesAsKonscious(int memoryKiB, int passes)
    {
        var kdf = new KdfParameters(memoryKiB, passes, 1);
        var password = Encoding.UTF8.GetBytes("pässwörd");

        var libsodium = PasswordKdf.DeriveWithLibsodium(password, kdf, Salt16, 32);
        var konscious = PasswordKdf.DeriveWithKonscious(password, kdf, Salt16, 32);

        Assert.Equal(Convert.ToHexStringLower(konscious), Convert.ToHexStringLower(libsodium));
    }

    [Theory]
    [InlineData(1, 16, true)]
    [InlineData(4, 16, false)] // libsodium has no lanes parameter
    [InlineData(1, 32, false)] // nor a salt length: every key before 2026-12 has 32 bytes
    [InlineData(2, 32, false)]
    public void UsesLibsodium_LanesAndSaltLength_OnlyWhereLibsodiumComputesTheSameFunction(int lanes, int saltLength, bool expected) =>
        Assert.Equal(expected, PasswordKdf.UsesLibsodium(new KdfParameters(1024, 1, lanes), saltLength));

    [Fact]
    public void Derive_EitherPath_SameBytesAsTheImplementationItPicks()
    {
        var password = "pw"u8.ToArray();
        var oneLane = new KdfParameters(1024, 1, 1);
        var fourLanes = new KdfParameters(1024, 1, 4);
        var salt32 = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        Assert.Equal(PasswordKdf.DeriveWithKonscious(password, oneLane, Salt16, 32), PasswordKdf.Derive(password, oneLane, Salt16, 32));
        Assert.Equal(PasswordKdf.DeriveWithKonscious(password, fourLanes, Salt16, 32), PasswordKdf.Derive(password, fourLanes, Salt16, 32));
        Assert.Equal(PasswordKdf.DeriveWithKonscious(password, oneLane, salt32, 32), PasswordKdf.Derive(password, oneLane, salt32, 32));
    }

    [Fact]
    public void Konscious_Rfc9106Argon2idVector_GivesTheTag()
    {
        // RFC 9106 § 5.3. It needs a secret, associated data and 4 lanes, which libsodium does not take; the cross-check
        // above ties libsodium to the same function.
        using var argon2 = new Konscious.Security.Cryptography.Argon2id(Enumerable.Repeat((byte)0x01, 32).ToArray())
        {
            Salt = Enumerable.Repeat((byte)0x02, 16).ToArray(),
            KnownSecret = Enumerable.Repeat((byte)0x03, 8).ToArray(),
            AssociatedData = Enumerable.Repeat((byte)0x04, 12).ToArray(),
            MemorySize = 32,
            Iterations = 3,
            DegreeOfParallelism = 4,
        };

        Assert.Equal("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Convert.ToHexStringLower(argon2.GetBytes(32)));
    }
}
