namespace Ztdr.Backup.Tests.Layering;

public sealed class BackupLayeringTests
{
    [Fact]
    public void BackupAssembly_ReferencesNoVaultAssembly()
    {
        // The backup software reaches storage only through S3; the architecture tests check the project graph, this
        // checks what the compiler actually linked.
        var references = typeof(Ztdr.Backup.BackupAssembly).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty);
        Assert.DoesNotContain(references, name => name.StartsWith("Ztdr.Vault", StringComparison.Ordinal));
    }
}
