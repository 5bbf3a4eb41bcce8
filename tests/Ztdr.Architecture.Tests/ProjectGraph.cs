using System.Xml.Linq;

namespace Ztdr.Architecture.Tests;

/// <summary>One project file as far as layering cares: what it references, directly, by item.</summary>
internal sealed record ProjectNode(
    string Path,
    string Name,
    IReadOnlyList<string> ProjectReferences,
    IReadOnlyList<string> FrameworkReferences,
    IReadOnlyList<string> PackageReferences,
    IReadOnlyList<string> Sdks);

/// <summary>
/// ProjectReference edges read from csproj XML (no MSBuild evaluation): every src/*/*.csproj, everything they reach,
/// and the items that Directory.Build.props/.targets between a project and the repository root add to it. Conditions
/// are ignored on purpose: a reference under any condition counts, so no configuration can sneak an edge in.
/// </summary>
internal sealed class ProjectGraph
{
    private static readonly string[] InheritedFiles = ["Directory.Build.props", "Directory.Build.targets"];
    private readonly Dictionary<string, ProjectNode> _nodes = new(StringComparer.Ordinal);
    private readonly string _root;

    private ProjectGraph(string root)
    {
        _root = System.IO.Path.GetFullPath(root);
    }

    /// <summary>The projects directly under src/, the set the layering rules are about.</summary>
    public IReadOnlyList<ProjectNode> SourceProjects { get; private set; } = [];

    public static ProjectGraph Load(string repositoryRoot)
    {
        var graph = new ProjectGraph(repositoryRoot);
        var src = System.IO.Path.Combine(graph._root, "src");
        var files = Directory.Exists(src)
            ? Directory.GetDirectories(src).SelectMany(d => Directory.GetFiles(d, "*.csproj")).Order(StringComparer.Ordinal).ToList()
            : [];
        graph.SourceProjects = files.Select(graph.Node).ToList();
        return graph;
    }

    /// <summary>
    /// Every project reachable from <paramref name="start"/> (itself excluded), each with the reference chain that
    /// reaches it, so a failure names the edge to remove.
    /// </summary>
    public IReadOnlyList<(ProjectNode Project, string Chain)> Closure(ProjectNode start)
    {
        var result = new List<(ProjectNode, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { start.Path };
        var queue = new Queue<(ProjectNode Node, string Chain)>();
        queue.Enqueue((start, start.Name));
        while (queue.Count > 0)
        {
            var (node, chain) = queue.Dequeue();
            foreach (var reference in node.ProjectReferences)
            {
                if (seen.Add(reference))
                {
                    var next = Node(reference);
                    var nextChain = chain + " -> " + next.Name;
                    result.Add((next, nextChain));
                    queue.Enqueue((next, nextChain));
                }
            }
        }

        return result;
    }

    /// <summary>A project and everything it reaches.</summary>
    public IEnumerable<(ProjectNode Project, string Chain)> SelfAndClosure(ProjectNode start) => new[] { (start, start.Name) }.Concat(Closure(start));

    private ProjectNode Node(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (_nodes.TryGetValue(path, out var known))
        {
            return known;
        }

        // A reference to a project file that does not exist still names its target: the edge is what is forbidden.
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        var projectDirectory = System.IO.Path.GetDirectoryName(path)!;
        var documents = new List<(XDocument Document, string Directory)>();
        if (File.Exists(path))
        {
            documents.Add((XDocument.Load(path), projectDirectory));
            documents.AddRange(InheritedDocuments(projectDirectory));
        }

        var node = new ProjectNode(
            path,
            name,
            documents.SelectMany(d => Items(d.Document, "ProjectReference").Select(i => Resolve(i, projectDirectory, d.Directory))).Distinct(StringComparer.Ordinal).ToList(),
            documents.SelectMany(d => Items(d.Document, "FrameworkReference")).ToList(),
            documents.SelectMany(d => Items(d.Document, "PackageReference")).ToList(),
            documents.SelectMany(d => Sdks(d.Document)).ToList());
        _nodes[path] = node;
        return node;
    }

    private IEnumerable<(XDocument, string)> InheritedDocuments(string projectDirectory)
    {
        for (var directory = new DirectoryInfo(projectDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var file in InheritedFiles)
            {
                var candidate = System.IO.Path.Combine(directory.FullName, file);
                if (File.Exists(candidate))
                {
                    yield return (XDocument.Load(candidate), directory.FullName);
                }
            }

            if (string.Equals(directory.FullName.TrimEnd(System.IO.Path.DirectorySeparatorChar), _root.TrimEnd(System.IO.Path.DirectorySeparatorChar), StringComparison.Ordinal))
            {
                yield break;
            }
        }
    }

    private static IEnumerable<string> Items(XDocument document, string itemType) =>
        document.Descendants().Where(e => e.Name.LocalName == itemType)
            .Select(e => (string?)e.Attribute("Include") ?? (string?)e.Attribute("Update") ?? string.Empty)
            .SelectMany(v => v.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static IEnumerable<string> Sdks(XDocument document)
    {
        var root = document.Root;
        if (root is null)
        {
            yield break;
        }

        foreach (var sdk in ((string?)root.Attribute("Sdk") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return sdk.Split('/')[0];
        }

        foreach (var element in document.Descendants().Where(e => e.Name.LocalName is "Sdk" or "Import"))
        {
            if ((string?)element.Attribute(element.Name.LocalName == "Sdk" ? "Name" : "Sdk") is { } name)
            {
                yield return name;
            }
        }
    }

    /// <summary>Item paths are relative to the project, whichever file declares them, unless they name a folder property.</summary>
    private static string Resolve(string include, string projectDirectory, string declaringDirectory)
    {
        var path = include
            .Replace("$(MSBuildThisFileDirectory)", declaringDirectory + System.IO.Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase)
            .Replace("$(MSBuildProjectDirectory)", projectDirectory, StringComparison.OrdinalIgnoreCase)
            .Replace('\\', System.IO.Path.DirectorySeparatorChar);
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(projectDirectory, path));
    }
}
