using System.Net;
using Ztdr.Vault.Tls;

namespace Ztdr.Vault.Tests.Tls;

public sealed class ServerHostNamesTests
{
    [Theory]
    [InlineData("not a host")]
    [InlineData("")]
    [InlineData("-vault.example")]
    [InlineData("vault..example")]
    [InlineData("127.1")]
    [InlineData("256.0.0.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("::zz")]
    [InlineData("vault_1.example")]
    [InlineData("*")]
    public void Parse_InvalidValue_ThrowsArgumentNamingTheValue(string value)
    {
        var exception = Assert.Throws<ArgumentException>(() => ServerHostNames.Parse([value]));

        Assert.Contains($"'{value}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BracketedIPv6_IsAnAddress()
    {
        var names = ServerHostNames.Parse(["[2001:db8::2]"]);

        Assert.Contains(IPAddress.Parse("2001:db8::2"), names.Addresses);
    }

    [Fact]
    public void Parse_Wildcard_IsKeptWithoutDoubleWildcard()
    {
        var names = ServerHostNames.Parse(["*.buckets.example"]);

        Assert.Contains("*.buckets.example", names.DnsNames);
        Assert.DoesNotContain("*.*.buckets.example", names.DnsNames);
    }

    [Fact]
    public void Parse_NoExtras_HasOnlyLoopbackNames()
    {
        var names = ServerHostNames.Parse([]);

        Assert.Equal(["localhost"], names.DnsNames);
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.Addresses);
    }

    [Fact]
    public void Parse_SingleLabelName_GetsNoWildcard()
    {
        var names = ServerHostNames.Parse(["vault"]);

        Assert.Contains("vault", names.DnsNames);
        Assert.DoesNotContain("*.vault", names.DnsNames);
    }
}
