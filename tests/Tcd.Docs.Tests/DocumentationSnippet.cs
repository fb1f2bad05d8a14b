using System.Text;

namespace Tcd.Docs.Tests;

/// <summary>One <c>```csharp</c> block of the repository's documentation, as a user would copy it.</summary>
/// <param name="Location">The file relative to the repository root and the line of the opening fence, e.g. <c>README.md:68</c>.</param>
/// <param name="Code">The block's text, without the fences.</param>
internal sealed record DocumentationSnippet(string Location, string Code)
{
    private const string OpeningFence = "```csharp";

    /// <summary>The Markdown users read: the README, <c>docs/</c>, the NuGet package pages and the samples' READMEs.</summary>
    private static readonly string[] DocumentationPatterns = ["README.md", "CONTRIBUTING.md", "docs/*.md", "src/*/PACKAGE.md", "samples/*/README.md"];

    /// <summary>Every C# block of the documentation, in file order.</summary>
    public static IReadOnlyList<DocumentationSnippet> All { get; } = Find(RepositoryFiles.Root());

    /// <summary>The C# blocks of one Markdown text.</summary>
    public static IEnumerable<DocumentationSnippet> Parse(string relativePath, string markdown)
    {
        var lines = markdown.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        for (var index = 0; index < lines.Length; index++)
        {
            if (lines[index].Trim() != OpeningFence)
            {
                continue;
            }

            var opening = index;
            var code = new StringBuilder();
            for (index++; index < lines.Length && !lines[index].TrimStart().StartsWith("```", StringComparison.Ordinal); index++)
            {
                code.Append(lines[index]).Append('\n');
            }

            if (index == lines.Length)
            {
                throw new InvalidDataException($"{relativePath}:{opening + 1}: the C# block is never closed.");
            }

            yield return new DocumentationSnippet($"{relativePath}:{opening + 1}", code.ToString());
        }
    }

    private static List<DocumentationSnippet> Find(string root) =>
        DocumentationPatterns
            .SelectMany(pattern => Files(root, pattern))
            .SelectMany(path => Parse(Path.GetRelativePath(root, path).Replace('\\', '/'), File.ReadAllText(path)))
            .ToList();

    private static IEnumerable<string> Files(string root, string pattern)
    {
        var folder = Path.GetDirectoryName(pattern) ?? string.Empty;
        var name = Path.GetFileName(pattern);
        if (!folder.Contains('*', StringComparison.Ordinal))
        {
            var directory = Path.Combine(root, folder);
            return Directory.Exists(directory) ? Directory.GetFiles(directory, name).Order(StringComparer.Ordinal) : [];
        }

        // One wildcard folder level: src/*/PACKAGE.md, samples/*/README.md.
        var parent = Path.Combine(root, Path.GetDirectoryName(folder) ?? string.Empty);
        return Directory.GetDirectories(parent).Order(StringComparer.Ordinal)
            .Select(directory => Path.Combine(directory, name))
            .Where(File.Exists);
    }
}
