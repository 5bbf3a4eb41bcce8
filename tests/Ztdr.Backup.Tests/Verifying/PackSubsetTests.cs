using Ztdr.Backup.Crypto;
using Ztdr.Backup.Verifying;

namespace Ztdr.Backup.Tests.Verifying;

public sealed class PackSubsetTests
{
    private static readonly IReadOnlyList<ObjectId> Packs = [.. Enumerable.Range(0, 40).Select(i => new ObjectId(Enumerable.Repeat((byte)(i * 7), 32).ToArray()))];

    [Theory]
    [InlineData("10%", 4)]
    [InlineData("1%", 1)]
    [InlineData("100%", 40)]
    [InlineData("12.5%", 5)]
    public void Percent_SelectsCeilingOfShareWithoutDuplicates(string text, int expected)
    {
        var selected = PackSubset.Parse(text).Select(Packs, new Random(1));

        Assert.Equal(expected, selected.Count);
        Assert.Equal(expected, selected.Distinct().Count());
        Assert.All(selected, p => Assert.Contains(p, Packs));
    }

    [Fact]
    public void Group_AllGroupsTogether_ReadEveryPackExactlyOnce()
    {
        var groups = Enumerable.Range(1, 3).Select(n => PackSubset.Parse($"{n}/3").Select(Packs, new Random(1))).ToList();

        Assert.Equal(Packs.Count, groups.Sum(g => g.Count));
        Assert.Equal(Packs.ToHashSet(), groups.SelectMany(g => g).ToHashSet());
        Assert.All(groups[1], p => Assert.Equal(1, p.ToArray()[0] % 3));
        Assert.Equal(groups[0], PackSubset.Parse("1/3").Select(Packs, new Random(99)));
    }

    [Theory]
    [InlineData("0%")]
    [InlineData("101%")]
    [InlineData("%")]
    [InlineData("0/3")]
    [InlineData("4/3")]
    [InlineData("1/0")]
    [InlineData("-1/3")]
    [InlineData("ten")]
    [InlineData("")]
    public void Parse_Invalid_ThrowsArgumentExceptionNamingTheInput(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => PackSubset.Parse(text));

        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
    }
}
