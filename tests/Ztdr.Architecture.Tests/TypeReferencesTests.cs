namespace Ztdr.Architecture.Tests;

/// <summary>Proves the metadata checker sees each way a type can use another, on samples compiled into this assembly.</summary>
public sealed class TypeReferencesTests
{
    private static readonly string ThisAssembly = typeof(TypeReferencesTests).Assembly.Location;

    [Theory]
    [InlineData("SignatureOnly", "Microsoft.AspNetCore.Http.HttpContext")]
    [InlineData("BodyOnly", "Microsoft.Data.Sqlite.SqliteConnectionStringBuilder")]
    [InlineData("LambdaOnly", "Microsoft.Data.Sqlite.SqliteOpenMode")]
    [InlineData("GenericArgumentOnly", "Microsoft.AspNetCore.Http.IHeaderDictionary")]
    public void Find_ForbiddenUseHiddenInSample_IsReported(string sample, string forbiddenType)
    {
        var violations = TypeReferences.Find(ThisAssembly, ns => ns == "Ztdr.Architecture.Tests.Samples." + sample, LockingDependencyTests.IsForbiddenForLocking);

        Assert.Contains(violations, v => v.EndsWith(" uses " + forbiddenType, StringComparison.Ordinal));
    }

    [Fact]
    public void Find_SampleUsingOnlyBaseLibrary_ReportsNothing()
    {
        var names = TypeReferences.TypesIn(ThisAssembly, ns => ns == "Ztdr.Architecture.Tests.Samples.Clean");

        Assert.NotEmpty(names);
        Assert.Empty(TypeReferences.Find(ThisAssembly, ns => ns == "Ztdr.Architecture.Tests.Samples.Clean", LockingDependencyTests.IsForbiddenForLocking));
    }

    [Theory]
    [InlineData("Ztdr.Vault.Storage", "Microsoft.Data.Sqlite.")]
    [InlineData("Ztdr.Vault.Api", "Microsoft.AspNetCore.")]
    public void Find_VaultNamespacesKnownToUseForbiddenTypes_AreReported(string ns, string forbiddenPrefix)
    {
        // The real assembly is read the same way as for Locking; these namespaces legitimately use what Locking must not.
        var violations = TypeReferences.Find(typeof(Ztdr.Vault.Storage.VaultLayout).Assembly.Location, n => n == ns, LockingDependencyTests.IsForbiddenForLocking);

        Assert.Contains(violations, v => v.Contains(" uses " + forbiddenPrefix, StringComparison.Ordinal));
    }
}
