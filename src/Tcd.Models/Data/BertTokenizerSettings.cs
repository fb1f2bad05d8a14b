using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Models.Runtime;

namespace Tcd.Models.Data;

/// <summary>
/// How a BERT tokenizer normalises text before WordPiece: Hugging Face's <c>do_lower_case</c>, <c>strip_accents</c> and
/// <c>tokenize_chinese_chars</c>. A model folder keeps them in <c>tokenizer_config.json</c> beside its <c>vocab.txt</c>
/// (Hugging Face's file and format; only these three keys are read). The defaults are BERT uncased's.
/// </summary>
public sealed record BertTokenizerSettings
{
    /// <summary>The file beside <c>vocab.txt</c> that holds the settings, as in Hugging Face checkpoints.</summary>
    public const string FileName = "tokenizer_config.json";

    /// <summary>Hugging Face's fast-tokenizer file, whose <c>normalizer</c> may state the settings instead.</summary>
    public const string FastTokenizerFileName = "tokenizer.json";

    private const string LowerCaseKey = "do_lower_case";
    private const string StripAccentsKey = "strip_accents";
    private const string ChineseCharactersKey = "tokenize_chinese_chars";

    /// <summary>BERT uncased's settings: lower-casing, accent stripping, one word per CJK ideograph.</summary>
    public static BertTokenizerSettings Uncased { get; } = new();

    /// <summary>BERT cased's settings: neither lower-casing nor accent stripping, one word per CJK ideograph.</summary>
    public static BertTokenizerSettings Cased { get; } = new() { LowerCase = false, StripAccents = false };

    /// <summary>Whether text is lower-cased (<c>do_lower_case</c>). Default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>
    /// Whether accents are removed (NFD, then non-spacing marks dropped; <c>strip_accents</c>). Default true. Hugging
    /// Face's <c>strip_accents: null</c> means "as <c>do_lower_case</c>", which <see cref="FromJson"/> resolves.
    /// </summary>
    public bool StripAccents { get; init; } = true;

    /// <summary>Whether every CJK ideograph is a word of its own (<c>tokenize_chinese_chars</c>). Default true.</summary>
    public bool TokenizeChineseCharacters { get; init; } = true;

    /// <summary>
    /// Reads the settings of a Hugging Face <c>tokenizer_config.json</c> text, with Hugging Face's defaults for absent
    /// keys: <c>do_lower_case</c> true, <c>strip_accents</c> as <c>do_lower_case</c>, <c>tokenize_chinese_chars</c> true.
    /// Other keys are ignored.
    /// </summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">Names the file in error messages.</param>
    /// <exception cref="InvalidDataException">The text is not a JSON object, or one of the keys is neither true nor false (nor null for <c>strip_accents</c>).</exception>
    public static BertTokenizerSettings FromJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Resolve(ParseObject(json, source, $"a {FileName} holds e.g. {{\"do_lower_case\": false}}"), source, null, string.Empty);
    }

    /// <summary>
    /// The settings with Hugging Face's precedence: a key of <c>tokenizer_config.json</c>, else the matching one of
    /// <c>tokenizer.json</c>'s <c>BertNormalizer</c> (which the fast tokenizer follows when the config says nothing),
    /// else Hugging Face's default.
    /// </summary>
    private static BertTokenizerSettings Resolve(JsonObject config, string configSource, JsonObject? normalizer, string normalizerSource)
    {
        bool? FromNormalizer(string key) => normalizer is null ? null : Flag(normalizer, key, normalizerSource);
        var lowerCase = Flag(config, LowerCaseKey, configSource) ?? FromNormalizer("lowercase") ?? true;
        return new BertTokenizerSettings
        {
            LowerCase = lowerCase,
            StripAccents = Flag(config, StripAccentsKey, configSource) ?? FromNormalizer("strip_accents") ?? lowerCase,
            TokenizeChineseCharacters = Flag(config, ChineseCharactersKey, configSource) ?? FromNormalizer("handle_chinese_chars") ?? true,
        };
    }

    private static JsonObject ParseObject(string json, string source, string example)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source} is not a JSON object; {example}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source} is not valid JSON: {UserMessages.JsonProblem(ex)}", ex);
        }
    }

    /// <summary>
    /// The settings of a model folder or Hugging Face checkpoint folder: those of its <see cref="FileName"/>, where it
    /// lacks a key (or is absent) those of the <c>BertNormalizer</c> in its <see cref="FastTokenizerFileName"/> (a
    /// checkpoint whose casing only that file states), else <see cref="Uncased"/>'s, as Hugging Face resolves them.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is malformed (see <see cref="FromJson"/>).</exception>
    public static BertTokenizerSettings ForFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var configPath = Path.Combine(folder, FileName);
        var config = File.Exists(configPath) ? ParseObject(File.ReadAllText(configPath), $"'{configPath}'", $"a {FileName} holds e.g. {{\"do_lower_case\": false}}") : [];
        var fastPath = Path.Combine(folder, FastTokenizerFileName);
        var normalizer = File.Exists(fastPath)
            ? ParseObject(File.ReadAllText(fastPath), $"'{fastPath}'", "it is Hugging Face's fast tokenizer file")["normalizer"] as JsonObject
            : null;
        // Another normalizer (a sequence, say) does not speak BERT's keys; its settings are not guessed.
        var bertNormalizer = normalizer?["type"] is JsonValue type && type.TryGetValue<string>(out var name) && name == "BertNormalizer" ? normalizer : null;
        return Resolve(config, $"'{configPath}'", bertNormalizer, $"the normalizer of '{fastPath}'");
    }

    /// <summary>
    /// The settings as Hugging Face's <c>tokenizer_config.json</c> keys (<c>do_lower_case</c>, <c>strip_accents</c>,
    /// <c>tokenize_chinese_chars</c>), for a file that <c>transformers</c> and <see cref="FromJson"/> read alike.
    /// </summary>
    public JsonObject ToJsonObject() => new()
    {
        [LowerCaseKey] = LowerCase,
        [StripAccentsKey] = StripAccents,
        [ChineseCharactersKey] = TokenizeChineseCharacters,
    };

    /// <summary>The settings as the indented text of a <see cref="FileName"/> (see <see cref="ToJsonObject"/>).</summary>
    public string ToJson() => ToJsonObject().ToJsonString(TcdJson.Indented);

    /// <summary>A short description for messages, e.g. <c>cased</c> or <c>uncased</c>, with any unusual setting named.</summary>
    public override string ToString()
    {
        var parts = new List<string> { LowerCase ? "uncased" : "cased" };
        if (StripAccents != LowerCase)
        {
            parts.Add(StripAccents ? "accents stripped" : "accents kept");
        }

        if (!TokenizeChineseCharacters)
        {
            parts.Add("CJK characters not split");
        }

        return string.Join(", ", parts);
    }

    private static bool? Flag(JsonObject settings, string key, string source) => settings[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
        _ => throw new InvalidDataException($"{source} sets \"{key}\" to {settings[key]!.ToJsonString()}; it must be true or false."),
    };
}
