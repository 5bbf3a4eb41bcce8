namespace Ztdr.Architecture.Tests;

/// <summary>STYLE.md's hard line, over the real project files and over synthetic ones that must trip it.</summary>
public sealed class ProjectLayeringTests
{
    [Fact]
    public void Repository_SourceProjects_AreFound()
    {
        // Guards against a vacuous pass: a wrong root or glob would find nothing and "prove" every rule.
        var names = ProjectGraph.Load(RepositoryRoot.Path).SourceProjects.Select(p => p.Name).ToList();

        Assert.Contains("Ztdr.S3", names);
        Assert.Contains("Ztdr.Vault", names);
    }

    [Fact]
    public void BackupAssessCli_InRepository_NeverReferenceVault()
    {
        Assert.Empty(LayeringRules.BackupSideNeverReachesVault(ProjectGraph.Load(RepositoryRoot.Path)));
    }

    [Fact]
    public void S3_InRepository_ReferencesNeitherAspNetNorVault()
    {
        Assert.Empty(LayeringRules.S3IsFreeOfAspNetAndVault(ProjectGraph.Load(RepositoryRoot.Path)));
    }

    [Fact]
    public void LockingProject_InRepository_ReferencesNeitherAspNetNorSqlite()
    {
        Assert.Empty(LayeringRules.LockingProjectIsPureLogic(ProjectGraph.Load(RepositoryRoot.Path)));
    }

    [Fact]
    public void BackupSideRule_TransitiveEdgeThroughNeutralProject_IsDetectedWithItsChain()
    {
        using var repo = new SyntheticRepository()
            .Project("Ztdr.Cli", SyntheticRepository.Ref("Ztdr.Backup"))
            .Project("Ztdr.Backup", SyntheticRepository.Ref("Ztdr.Shared"))
            .Project("Ztdr.Shared", SyntheticRepository.Ref("Ztdr.Vault.Locking"))
            .Project("Ztdr.Vault.Locking");

        var violations = LayeringRules.BackupSideNeverReachesVault(repo.Load());

        Assert.Contains("Ztdr.Cli -> Ztdr.Backup -> Ztdr.Shared -> Ztdr.Vault.Locking", violations);
        Assert.Contains("Ztdr.Backup -> Ztdr.Shared -> Ztdr.Vault.Locking", violations);
        Assert.Equal(2, violations.Count);
    }

    [Theory]
    [InlineData("Ztdr.Assess")]
    [InlineData("Ztdr.Backup.Stores")]
    [InlineData("Ztdr.Cli")]
    public void BackupSideRule_DirectReferenceFromProjectThatDidNotExistBefore_IsDetected(string name)
    {
        using var repo = new SyntheticRepository()
            .Project(name, """<ProjectReference Include="..\Ztdr.Vault\Ztdr.Vault.csproj" Condition="'$(Configuration)' == 'Release'" />""")
            .Project("Ztdr.Vault");

        Assert.Equal([$"{name} -> Ztdr.Vault"], LayeringRules.BackupSideNeverReachesVault(repo.Load()));
    }

    [Fact]
    public void BackupSideRule_ReferenceToMissingVaultProject_IsStillDetected()
    {
        using var repo = new SyntheticRepository().Project("Ztdr.Backup", SyntheticRepository.Ref("Ztdr.Vault.Future"));

        Assert.Equal(["Ztdr.Backup -> Ztdr.Vault.Future"], LayeringRules.BackupSideNeverReachesVault(repo.Load()));
    }

    [Fact]
    public void BackupSideRule_ReferenceInjectedByDirectoryBuildProps_IsDetected()
    {
        using var repo = new SyntheticRepository()
            .Project("Ztdr.Backup")
            .Project("Ztdr.Vault")
            .WriteFile("src/Directory.Build.props", """
                <Project>
                  <ItemGroup>
                    <ProjectReference Include="$(MSBuildThisFileDirectory)Ztdr.Vault/Ztdr.Vault.csproj" Condition="'$(MSBuildProjectName)' != 'Ztdr.Vault'" />
                  </ItemGroup>
                </Project>
                """);

        Assert.Equal(["Ztdr.Backup -> Ztdr.Vault"], LayeringRules.BackupSideNeverReachesVault(repo.Load()));
    }

    [Fact]
    public void BackupSideRule_AllowedGraphWithCycle_HasNoViolationsAndTerminates()
    {
        using var repo = new SyntheticRepository()
            .Project("Ztdr.Cli", SyntheticRepository.Ref("Ztdr.Backup"))
            .Project("Ztdr.Backup", SyntheticRepository.Ref("Ztdr.S3"), SyntheticRepository.Ref("Ztdr.Cli"))
            .Project("Ztdr.S3")
            .Project("Ztdr.Vault", SyntheticRepository.Ref("Ztdr.S3"))
            .Project("Ztdr.Vault.Host", SyntheticRepository.Ref("Ztdr.Vault"));

        Assert.Empty(LayeringRules.BackupSideNeverReachesVault(repo.Load()));
        Assert.Empty(LayeringRules.S3IsFreeOfAspNetAndVault(repo.Load()));
    }

    [Fact]
    public void S3Rule_AspNetFrameworkReference_IsDetected()
    {
        using var repo = new SyntheticRepository().Project("Ztdr.S3", """<FrameworkReference Include="Microsoft.AspNetCore.App" />""");

        Assert.Equal(["Ztdr.S3: FrameworkReference Microsoft.AspNetCore.App"], LayeringRules.S3IsFreeOfAspNetAndVault(repo.Load()));
    }

    [Fact]
    public void S3Rule_AspNetThroughReferencedProjectOrWebSdk_IsDetected()
    {
        using var repo = new SyntheticRepository()
            .Project("Ztdr.S3", SyntheticRepository.Ref("Ztdr.Wire"))
            .WriteFile("src/Ztdr.Wire/Ztdr.Wire.csproj", """<Project Sdk="Microsoft.NET.Sdk.Web"><ItemGroup><PackageReference Include="Microsoft.AspNetCore.Http.Abstractions" /></ItemGroup></Project>""");

        var violations = LayeringRules.S3IsFreeOfAspNetAndVault(repo.Load());

        Assert.Contains("Ztdr.S3 -> Ztdr.Wire: Sdk Microsoft.NET.Sdk.Web", violations);
        Assert.Contains("Ztdr.S3 -> Ztdr.Wire: PackageReference Microsoft.AspNetCore.Http.Abstractions", violations);
    }

    [Fact]
    public void S3Rule_VaultReference_IsDetected()
    {
        using var repo = new SyntheticRepository().Project("Ztdr.S3", SyntheticRepository.Ref("Ztdr.Vault")).Project("Ztdr.Vault");

        Assert.Equal(["Ztdr.S3 -> Ztdr.Vault"], LayeringRules.S3IsFreeOfAspNetAndVault(repo.Load()));
    }

    [Fact]
    public void LockingRule_SeparateLockingProjectWithSqlite_IsDetected()
    {
        using var repo = new SyntheticRepository()
            .Project("Ztdr.Vault.Locking", SyntheticRepository.Ref("Ztdr.Vault.Store"))
            .Project("Ztdr.Vault.Store", """<PackageReference Include="Microsoft.Data.Sqlite" />""");

        Assert.Equal(["Ztdr.Vault.Locking -> Ztdr.Vault.Store: PackageReference Microsoft.Data.Sqlite"], LayeringRules.LockingProjectIsPureLogic(repo.Load()));
    }
}
