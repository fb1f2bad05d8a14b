using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tcd.Models.Runtime;

namespace Tcd.Experiments.Glue;

/// <summary>The JSON layout of cell and selection files: snake_case names, enum names as strings, indented.</summary>
internal static class GlueJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        TypeInfoResolver = TcdJson.Resolver,
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);
}
