using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tcd.Cli;

/// <summary>
/// Reads a command's option values with the precedence option on the command line &gt; key in the <c>--config</c>
/// JSON file &gt; the option's default. The file's keys are the option names without the leading dashes.
/// </summary>
internal sealed class OptionReader
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private readonly ParseResult parse;
    private readonly JsonObject config;
    private readonly string? configPath;
    private readonly Dictionary<string, JsonNode?> resolved = new(StringComparer.Ordinal);

    private OptionReader(ParseResult parse, JsonObject config, string? configPath)
    {
        this.parse = parse;
        this.config = config;
        this.configPath = configPath;
    }

    /// <summary>Every value read so far by key: the effective settings of the run, loadable again with <c>--config</c>.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Resolved => resolved;

    /// <summary>Loads the config file named by <paramref name="configOption"/> (if any) and checks its keys.</summary>
    public static OptionReader Create(ParseResult parse, Option<string?> configOption)
    {
        var path = parse.GetValue(configOption);
        if (path is null)
        {
            return new OptionReader(parse, [], null);
        }

        if (!File.Exists(path))
        {
            throw new CliUsageException($"--config: the file '{path}' does not exist.");
        }

        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                     ?? throw new CliUsageException($"--config: '{path}' must hold one JSON object whose keys are option names, e.g. {{ \"steps\": 1000 }}.");
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"--config: '{path}' is not valid JSON: {ex.Message}");
        }

        var known = parse.CommandResult.Command.Options.Select(Key).Where(key => key != Key(configOption)).ToHashSet(StringComparer.Ordinal);
        var unknown = config.Select(kv => kv.Key).Where(key => !known.Contains(key)).ToList();
        if (unknown.Count > 0)
        {
            throw new CliUsageException(
                $"--config: '{path}' has unknown key(s) {string.Join(", ", unknown.Select(k => $"'{k}'"))} for '{parse.CommandResult.Command.Name}'. " +
                $"Keys are the command's option names without dashes: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
        }

        return new OptionReader(parse, config, path);
    }

    /// <summary>The option's value: from the command line, else the config file, else its default.</summary>
    public T Get<T>(Option<T> option)
    {
        var key = Key(option);
        T value;
        if (parse.GetResult(option) is { Implicit: false })
        {
            value = parse.GetValue(option)!;
        }
        else if (config.TryGetPropertyValue(key, out var node))
        {
            value = FromJson<T>(key, node);
        }
        else
        {
            value = parse.GetValue(option)!;
        }

        resolved[key] = JsonSerializer.SerializeToNode(value);
        return value;
    }

    /// <summary>Like <see cref="Get{T}"/>, for an option without a default that the command needs.</summary>
    public T Require<T>(Option<T?> option)
        where T : class =>
        Get(option) ?? throw new CliUsageException(
            $"Option '{option.Name}' is required: give it on the command line or as \"{Key(option)}\" in the --config file.");

    /// <summary>Like <see cref="Require{T}"/>, for a list option that needs at least one value.</summary>
    public string[] RequireList(Option<string[]> option)
    {
        var values = Get(option);
        return values is { Length: > 0 } ? values : throw new CliUsageException(
            $"Option '{option.Name}' is required: give one or more values on the command line or as \"{Key(option)}\": [...] in the --config file.");
    }

    /// <summary>The config-file key of an option: its name without the leading dashes.</summary>
    public static string Key(Option option) => option.Name.TrimStart('-');

    private T FromJson<T>(string key, JsonNode? node)
    {
        try
        {
            // A single string where a list is expected is a one-element list, as on the command line.
            if (typeof(T) == typeof(string[]) && node is JsonValue single && single.TryGetValue<string>(out var text))
            {
                return (T)(object)new[] { text };
            }

            return node.Deserialize<T>(Json)!;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new CliUsageException($"--config: '{configPath}' key \"{key}\" is {node?.ToJsonString() ?? "null"}, which is not a valid {Describe(typeof(T))}.");
        }
    }

    private static string Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string[]) => "list of strings",
        var t when t == typeof(string) => "string",
        var t when t == typeof(bool) => "true/false value",
        var t when t == typeof(int) || t == typeof(long) => "whole number",
        var t when t == typeof(double) => "number",
        var t => t.Name,
    };
}
