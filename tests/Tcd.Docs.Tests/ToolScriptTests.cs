namespace Tcd.Docs.Tests;

/// <summary>
/// The file-based C# programs under <c>tools/</c> (run as <c>dotnet run tools/NAME.cs</c>, outside the solution, so no
/// build of the solution compiles them) compile against the current libraries.
/// </summary>
public class ToolScriptTests
{
    public static TheoryData<string> Scripts => new(
        Directory.GetFiles(Path.Combine(RepositoryFiles.Root(), "tools"), "*.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Tool_script_compiles(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryFiles.Root(), "tools", name));
        // '#:project' / '#:package' directives are for 'dotnet run'; blanking them keeps the line numbers of errors.
        var code = string.Join('\n', lines.Select(line => line.StartsWith("#:", StringComparison.Ordinal) ? string.Empty : line));

        string.Join('\n', SnippetCompiler.Errors(code)).Should().BeEmpty($"tools/{name} should compile against the current libraries");
    }
}
