using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Tcd.Docs.Tests;

/// <summary>
/// Compiles a snippet as the <c>Program.cs</c> of a new console app (<c>dotnet new console</c>: top-level statements,
/// nullable context, the SDK's implicit usings) that references the Tcd libraries and their dependencies.
/// </summary>
internal static class SnippetCompiler
{
    private static readonly string ImplicitUsings = string.Join(
        '\n',
        new[] { "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks" }
            .Select(name => $"global using global::{name};"));

    /// <summary>What the test host loads: the framework, the Tcd libraries and every package they depend on.</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    /// <summary>The compiler errors, each as <c>line N: CSxxxx message</c> with N counted inside the snippet.</summary>
    public static IReadOnlyList<string> Errors(string code)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, options, path: "GlobalUsings.cs"), CSharpSyntaxTree.ParseText(code, options, path: "Program.cs")],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics()
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error)
            .Select(diagnostic => $"line {diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1}: {diagnostic.Id} {diagnostic.GetMessage()}")
            .ToList();
    }
}
