namespace Ztdr.Architecture.Tests;

/// <summary>A throwaway repository of csproj files in a temp folder of the test's own, to prove the rules bite.</summary>
internal sealed class SyntheticRepository : IDisposable
{
    public SyntheticRepository()
    {
        Root = Path.Combine(Path.GetTempPath(), "ztdr-architecture-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, "Ztdr.slnx"), "<Solution />");
    }

    public string Root { get; }

    /// <summary>Writes src/<paramref name="name"/>/<paramref name="name"/>.csproj with the given item lines.</summary>
    public SyntheticRepository Project(string name, params string[] items) => ProjectAt(Path.Combine("src", name), name, items);

    public SyntheticRepository ProjectAt(string folder, string name, params string[] items)
    {
        var directory = Path.Combine(Root, folder);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                {string.Join("\n    ", items)}
              </ItemGroup>
            </Project>
            """);
        return this;
    }

    public SyntheticRepository WriteFile(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    public static string Ref(string name) => $"""<ProjectReference Include="..\{name}\{name}.csproj" />""";

    public ProjectGraph Load() => ProjectGraph.Load(Root);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
