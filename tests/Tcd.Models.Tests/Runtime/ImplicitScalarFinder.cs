using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Tcd.Models.Tests.Runtime;

/// <summary>
/// Finds the places where C# code hands libtorch a TorchSharp scalar that nothing holds: an implicit conversion to
/// <c>Scalar</c> (<c>t.mul(0.5)</c>), or a call of a TorchSharp method or operator that converts inside
/// (<c>t * 0.5</c>, <c>a + b</c>, <c>t.square()</c>; see <see cref="UnheldScalarMethods"/>). See
/// <c>Tcd.Models.Runtime.TorchScalars</c> for why they fail at random.
/// </summary>
internal static class ImplicitScalarFinder
{
    private const string ImplicitUsings =
        "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
        "global using System.Threading; global using System.Threading.Tasks;";

    /// <summary>Every finding as <c>path:line: code</c>; compile errors are returned too, so a broken read cannot pass.</summary>
    public static IReadOnlyList<string> Find(IEnumerable<(string Path, string Code)> sources)
    {
        var trees = sources.Select(source => CSharpSyntaxTree.ParseText(source.Code, path: source.Path))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings))
            .ToList();
        var compilation = CSharpCompilation.Create(
            "Scanned", trees, References(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"compile error: {d}");
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar")
            ?? throw new InvalidOperationException("TorchSharp.Scalar is not among the references.");
        var findings = trees.SelectMany(tree =>
        {
            var model = compilation.GetSemanticModel(tree);
            return tree.GetRoot().DescendantNodes().OfType<ExpressionSyntax>()
                .Where(expression => ConvertsImplicitly(model, expression, scalar) || CallsAnUnheldScalarMethod(model, expression))
                .Select(expression => $"{tree.FilePath}:{tree.GetLineSpan(expression.Span).StartLinePosition.Line + 1}: {expression}");
        });
        return [.. errors, .. findings];
    }

    private static bool ConvertsImplicitly(SemanticModel model, ExpressionSyntax expression, INamedTypeSymbol scalar)
    {
        var conversion = model.GetConversion(expression);
        return conversion is { IsUserDefined: true, IsImplicit: true }
            && SymbolEqualityComparer.Default.Equals(model.GetTypeInfo(expression).ConvertedType, scalar);
    }

    private static bool CallsAnUnheldScalarMethod(SemanticModel model, ExpressionSyntax expression) =>
        expression is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or BinaryExpressionSyntax
            or AssignmentExpressionSyntax or CastExpressionSyntax or PrefixUnaryExpressionSyntax
        && model.GetSymbolInfo(expression).Symbol is IMethodSymbol method
        && (method.ReducedFrom ?? method).OriginalDefinition is { ContainingAssembly.Name: "TorchSharp" } definition
        && UnheldScalarMethods.InTorchSharp.Contains(definition.MetadataToken);

    /// <summary>The assemblies the test host loaded, but not the library itself: its sources are what is compiled.</summary>
    private static List<MetadataReference> References() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => !Path.GetFileName(path).StartsWith("Tcd.", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
}
