namespace Ztdr.Architecture.Tests;

/// <summary>
/// The lock engine is pure logic over (object state, request, principal, trusted time): no type in
/// Ztdr.Vault.Locking may touch ASP.NET or the metadata store. Checked on the compiled Ztdr.Vault.dll, so it holds
/// for whatever the folder will contain; while the folder does not exist it checks nothing, and says so.
/// </summary>
public sealed class LockingDependencyTests
{
    private static readonly string VaultAssembly = typeof(Ztdr.Vault.Storage.VaultLayout).Assembly.Location;

    internal static bool IsLockingNamespace(string ns) => ns == "Ztdr.Vault.Locking" || ns.StartsWith("Ztdr.Vault.Locking.", StringComparison.Ordinal);

    /// <summary>ASP.NET, SQLite (the driver and its native binding) and the store that wraps it.</summary>
    internal static bool IsForbiddenForLocking(string typeName) =>
        typeName.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)
        || typeName.StartsWith("Microsoft.Data.Sqlite.", StringComparison.Ordinal)
        || typeName.StartsWith("SQLitePCL.", StringComparison.Ordinal)
        || typeName == "Ztdr.Vault.Storage.MetadataDatabase";

    [Fact]
    public void LockingTypes_InVaultAssembly_ReferenceNeitherAspNetCoreNorSqliteNorMetadataStore()
    {
        Assert.Empty(TypeReferences.Find(VaultAssembly, IsLockingNamespace, IsForbiddenForLocking));
    }

    [Fact]
    public void LockingFolder_WhenItHasSources_CompilesIntoTheCheckedNamespace()
    {
        // Folder = namespace (STYLE.md): sources under Locking/ in another namespace would escape the check above.
        var folder = Path.Combine(RepositoryRoot.Path, "src", "Ztdr.Vault", "Locking");
        var hasSources = Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Any();

        var types = TypeReferences.TypesIn(VaultAssembly, IsLockingNamespace);

        Assert.Equal(hasSources, types.Count > 0);
    }
}
