using System.Text;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Tests.Crypto;

public sealed class KeyObjectTests
{
    // Moderate cost so tests stay fast; production keys use KdfParameters.Default.
    private static readonly KdfParameters TestKdf = new(1024, 1, 1);
    private static readonly DateTimeOffset Created = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryUnwrap_SerializedAndParsed_ReturnsTheMasterKey()
    {
        using var master = MasterKey.Generate();
        var parsed = KeyObject.Parse(KeyObject.Create(master, "pässwörd", TestKdf, Created).Serialize());

        Assert.True(parsed.TryUnwrap("pässwörd", out var unwrapped));
        using (unwrapped)
        {
            Assert.Equal(master.Bytes.ToArray(), unwrapped.Bytes.ToArray());
        }

        Assert.Equal(TestKdf, parsed.Kdf);
        Assert.Equal(Created, parsed.Created);
    }

    [Fact]
    public void TryUnwrap_WrongPassword_ReturnsFalse()
    {
        using var master = MasterKey.Generate();
        var key = KeyObject.Create(master, "right", TestKdf, Created);

        Assert.False(key.TryUnwrap("wrong", out _));
    }

    [Fact]
    public void UnwrapAny_TwoKeysForTwoPasswords_EitherPasswordOpens()
    {
        using var master = MasterKey.Generate();
        KeyObject[] keys = [KeyObject.Create(master, "alice", TestKdf, Created), KeyObject.Create(master, "bob", TestKdf, Created)];

        using var viaBob = KeyObject.UnwrapAny(keys, "bob");
        using var viaAlice = KeyObject.UnwrapAny(keys, "alice");

        Assert.Equal(master.Bytes.ToArray(), viaBob.Bytes.ToArray());
        Assert.Equal(master.Bytes.ToArray(), viaAlice.Bytes.ToArray());
    }

    [Fact]
    public void UnwrapAny_NoKeyOpens_ThrowsWrongPassword()
    {
        using var master = MasterKey.Generate();
        KeyObject[] keys = [KeyObject.Create(master, "alice", TestKdf, Created)];

        var ex = Assert.Throws<WrongPasswordException>(() => KeyObject.UnwrapAny(keys, "mallory"));
        Assert.Contains("none of the repository's 1 key objects", ex.Message, StringComparison.Ordinal);
        Assert.Throws<WrongPasswordException>(() => KeyObject.UnwrapAny([], "alice"));
    }

    [Fact]
    public void TryUnwrap_ParametersEditedInStorage_ReturnsFalse()
    {
        using var master = MasterKey.Generate();
        var json = Encoding.UTF8.GetString(KeyObject.Create(master, "pw", new KdfParameters(1024, 2, 1), Created).Serialize());
        var edited = KeyObject.Parse(Encoding.UTF8.GetBytes(json.Replace("\"iterations\": 2", "\"iterations\": 1", StringComparison.Ordinal)));

        Assert.False(edited.TryUnwrap("pw", out _));
    }

    [Fact]
    public void TryUnwrap_FourLaneKeyMadeBeforeLibsodium_ReturnsTheMasterKey()
    {
        // Made by KeyObject.Create when every key went through Konscious (4 lanes, 32-byte salt, as the default was until
        // 2026-12): such keys take the Konscious path and must keep opening.
        const string json = """
            {
              "version": 1,
              "created": "2026-06-01T00:00:00.0000000Z",
              "kdf": {
                "algorithm": "argon2id",
                "version": 19,
                "memoryKiB": 2048,
                "iterations": 2,
                "parallelism": 4,
                "salt": "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
              },
              "wrap": {
                "algorithm": "aes-256-gcm",
                "nonce": "0NHS09TV1tfY2drb",
                "ciphertext": "Zc6ByI5ndKllfrRod27uZiDjAyId397nSuBQuugKSiDUsogYQScIOiOOgdid4CDA"
              }
            }
            """;
        var key = KeyObject.Parse(Encoding.UTF8.GetBytes(json));

        Assert.False(PasswordKdf.UsesLibsodium(key.Kdf, key.Salt.Length));
        Assert.True(key.TryUnwrap("old lanes", out var unwrapped));
        using (unwrapped)
        {
            Assert.Equal(Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray(), unwrapped.Bytes.ToArray());
        }
    }

    [Fact]
    public void Create_DefaultParameters_SixteenByteSaltOneLaneThroughLibsodium()
    {
        using var master = MasterKey.Generate();
        var key = KeyObject.Parse(KeyObject.Create(master, "pw", KdfParameters.Default, Created).Serialize());

        Assert.Equal(16, key.Salt.Length);
        Assert.Equal(new KdfParameters(64 * 1024, 3, 1), key.Kdf);
        Assert.True(PasswordKdf.UsesLibsodium(key.Kdf, key.Salt.Length));
        Assert.True(key.TryUnwrap("pw", out var unwrapped));
        unwrapped.Dispose();
    }

    [Theory]
    [InlineData("\"memoryKiB\": 1024", "\"memoryKiB\": 4194305")] // over 4 GiB: a planted key must not exhaust memory
    [InlineData("\"iterations\": 1", "\"iterations\": 101")]
    [InlineData("\"parallelism\": 1", "\"parallelism\": 0")]
    [InlineData("\"version\": 1,", "\"version\": 2,")]
    [InlineData("\"algorithm\": \"argon2id\"", "\"algorithm\": \"scrypt\"")]
    [InlineData("\"salt\": \"", "\"salt\": \"AAAA\", \"unknown\": \"")] // a 3-byte salt
    public void Parse_OutOfSpec_ThrowsFormatException(string original, string replacement)
    {
        using var master = MasterKey.Generate();
        var json = Encoding.UTF8.GetString(KeyObject.Create(master, "pw", TestKdf, Created).Serialize());
        Assert.Contains(original, json, StringComparison.Ordinal);

        Assert.Throws<RepositoryFormatException>(() => KeyObject.Parse(Encoding.UTF8.GetBytes(json.Replace(original, replacement, StringComparison.Ordinal))));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    public void Parse_NotAKeyObject_ThrowsFormatException(string json)
    {
        Assert.Throws<RepositoryFormatException>(() => KeyObject.Parse(Encoding.UTF8.GetBytes(json)));
    }
}
