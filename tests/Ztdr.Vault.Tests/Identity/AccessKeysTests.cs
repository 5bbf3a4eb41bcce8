using Ztdr.Vault.Identity;

namespace Ztdr.Vault.Tests.Identity;

public sealed class AccessKeysTests
{
    [Fact]
    public void NewAccessKeyId_Always_IsZvAnd18UpperCaseAlphanumerics()
    {
        for (var i = 0; i < 200; i++)
        {
            var id = AccessKeys.NewAccessKeyId();

            Assert.Matches("^ZV[A-Z0-9]{18}$", id);
        }
    }

    [Fact]
    public void NewSecretAccessKey_Always_Is40Base64UrlCharacters()
    {
        for (var i = 0; i < 200; i++)
        {
            var secret = AccessKeys.NewSecretAccessKey();

            Assert.Matches("^[A-Za-z0-9_-]{40}$", secret);
        }
    }

    [Fact]
    public void NewKeys_ManyDraws_AreAllDistinct()
    {
        const int Count = 10_000;

        var ids = Enumerable.Range(0, Count).Select(_ => AccessKeys.NewAccessKeyId()).ToHashSet(StringComparer.Ordinal);
        var secrets = Enumerable.Range(0, Count).Select(_ => AccessKeys.NewSecretAccessKey()).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(Count, ids.Count);
        Assert.Equal(Count, secrets.Count);
    }

    [Fact]
    public void NewSecretAccessKey_ManyDraws_UsesWholeAlphabet()
    {
        // A biased or truncated generator shows up as symbols that never appear.
        var seen = Enumerable.Range(0, 2_000).SelectMany(_ => AccessKeys.NewSecretAccessKey()).ToHashSet();

        Assert.Equal(64, seen.Count);
    }
}
