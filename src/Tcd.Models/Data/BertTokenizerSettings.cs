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
        JsonObject settings;
        try
        {
            settings = JsonNode.Parse(json) as JsonObject
                       ?? throw new InvalidDataException($"{source} is not a JSON object; a tokenizer_config.json holds e.g. {{\"do_lower_case\": false}}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source} is not valid JSON: {ex.Message}", ex);
        }

        var lowerCase = Flag(settings, LowerCaseKey, source) ?? true;
        return new BertTokenizerSettings
        {
            LowerCase = lowerCase,
            StripAccents = Flag(settings, StripAccentsKey, source) ?? lowerCase,
            TokenizeChineseCharacters = Flag(settings, ChineseCharactersKey, source) ?? true,
        };
    }

    /// <summary>
    /// The settings of a model folder or Hugging Face checkpoint folder: its <see cref="FileName"/>, or
    /// <see cref="Uncased"/> when it has none (as Hugging Face's <c>BertTokenizer</c> defaults).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed (see <see cref="FromJson"/>).</exception>
    public static BertTokenizerSettings ForFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var path = Path.Combine(folder, FileName);
        return File.Exists(path) ? FromJson(File.ReadAllText(path), $"'{path}'") : Uncased;
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
