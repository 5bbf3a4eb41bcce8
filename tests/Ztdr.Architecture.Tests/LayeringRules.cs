namespace Ztdr.Architecture.Tests;

/// <summary>
/// The dependency rules of STYLE.md over a <see cref="ProjectGraph"/>. Each returns the violations as readable
/// reference chains; an empty list means the rule holds.
/// </summary>
internal static class LayeringRules
{
    /// <summary>Projects the backup software is built from; they reach storage only through public S3.</summary>
    private static readonly string[] BackupSide = ["Ztdr.Backup", "Ztdr.Assess", "Ztdr.Cli"];

    /// <summary>Ztdr.Backup*, Ztdr.Assess* and Ztdr.Cli* never reference any Ztdr.Vault* project, directly or not.</summary>
    public static IReadOnlyList<string> BackupSideNeverReachesVault(ProjectGraph graph) =>
        graph.SourceProjects
            .Where(p => BackupSide.Any(prefix => p.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            .SelectMany(p => graph.Closure(p))
            .Where(r => IsVault(r.Project.Name))
            .Select(r => r.Chain)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Ztdr.S3 is the wire contract without I/O: no ASP.NET and no vault anywhere in what it builds from.</summary>
    public static IReadOnlyList<string> S3IsFreeOfAspNetAndVault(ProjectGraph graph)
    {
        var violations = new List<string>();
        foreach (var s3 in graph.SourceProjects.Where(p => p.Name.Equals("Ztdr.S3", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var (project, chain) in graph.SelfAndClosure(s3))
            {
                if (IsVault(project.Name))
                {
                    violations.Add(chain);
                }

                violations.AddRange(AspNetUses(project).Select(use => $"{chain}: {use}"));
            }
        }

        return violations;
    }

    /// <summary>
    /// Should the lock engine move into its own project (Ztdr.Vault.Locking*), it must build from neither ASP.NET nor
    /// the metadata store's SQLite. Inside Ztdr.Vault, <see cref="TypeReferences"/> checks the same at type level.
    /// </summary>
    public static IReadOnlyList<string> LockingProjectIsPureLogic(ProjectGraph graph)
    {
        var violations = new List<string>();
        foreach (var locking in graph.SourceProjects.Where(p => p.Name.StartsWith("Ztdr.Vault.Locking", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var (project, chain) in graph.SelfAndClosure(locking))
            {
                violations.AddRange(AspNetUses(project).Select(use => $"{chain}: {use}"));
                violations.AddRange(project.PackageReferences
                    .Where(p => p.StartsWith("Microsoft.Data.Sqlite", StringComparison.OrdinalIgnoreCase) || p.StartsWith("SQLitePCLRaw", StringComparison.OrdinalIgnoreCase))
                    .Select(p => $"{chain}: PackageReference {p}"));
            }
        }

        return violations;
    }

    private static bool IsVault(string projectName) => projectName.StartsWith("Ztdr.Vault", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> AspNetUses(ProjectNode project) =>
        project.FrameworkReferences.Where(f => f.StartsWith("Microsoft.AspNetCore", StringComparison.OrdinalIgnoreCase)).Select(f => "FrameworkReference " + f)
            .Concat(project.PackageReferences.Where(p => p.StartsWith("Microsoft.AspNetCore", StringComparison.OrdinalIgnoreCase)).Select(p => "PackageReference " + p))
            .Concat(project.Sdks.Where(s => s.StartsWith("Microsoft.NET.Sdk.Web", StringComparison.OrdinalIgnoreCase)).Select(s => "Sdk " + s));
}
