using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tcd.Models.Runtime;

/// <summary>
/// The System.Text.Json settings behind every file the Tcd libraries read and write: model configs, checkpoints,
/// metrics, model-file manifests, GLUE results and the command line's config files.
/// </summary>
/// <remarks>
/// .NET 10 file-based apps (<c>dotnet run app.cs</c>) and trimmed or AOT-published apps turn System.Text.Json's
/// reflection-based default off, and options without a type-info resolver then fail on first use. Options built here,
/// or that set <see cref="JsonSerializerOptions.TypeInfoResolver"/> to <see cref="Resolver"/>, name the reflection-based
/// resolver themselves and so work in those apps too.
/// </remarks>
public static class TcdJson
{
    /// <summary>The reflection-based type-info resolver, named explicitly.</summary>
    public static IJsonTypeInfoResolver Resolver { get; } = new DefaultJsonTypeInfoResolver();

    /// <summary>Default settings, one line of output.</summary>
    public static JsonSerializerOptions Compact { get; } = new() { TypeInfoResolver = Resolver };

    /// <summary>Default settings, indented output.</summary>
    public static JsonSerializerOptions Indented { get; } = new() { TypeInfoResolver = Resolver, WriteIndented = true };
}
