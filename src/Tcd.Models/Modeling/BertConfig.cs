using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tcd.Models.Runtime;

namespace Tcd.Models.Modeling;

/// <summary>
/// Shape and regularisation of a BERT or Mixture-of-Experts BERT model. JSON property names follow
/// Hugging Face <c>config.json</c> where the meaning is the same (<c>hidden_size</c>,
/// <c>num_hidden_layers</c>, ...), so an HF BERT config can be read directly.
/// </summary>
public sealed record BertConfig
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        TypeInfoResolver = TcdJson.Resolver,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Each JSON key, found by its C# property name or its own name, ignoring case and underscores.</summary>
    private static readonly Lazy<IReadOnlyDictionary<string, string>> JsonKeysByLooseName = new(() =>
        typeof(BertConfig).GetProperties()
            .Select(property => (property.Name, Json: property.GetCustomAttributes(typeof(JsonPropertyNameAttribute), inherit: false).Cast<JsonPropertyNameAttribute>().FirstOrDefault()?.Name))
            .Where(names => names.Json is not null)
            .SelectMany(names => new[] { (Loose: LooseName(names.Name), names.Json!), (Loose: LooseName(names.Json!), names.Json!) })
            .DistinctBy(names => names.Loose)
            .ToDictionary(names => names.Loose, names => names.Item2));

    /// <summary>WordPiece vocabulary size. Default 30522 (BERT uncased).</summary>
    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 30522;

    /// <summary>Hidden (model) width H. Default 768 (BERT-base).</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 768;

    /// <summary>Number of Transformer layers L. Default 12.</summary>
    [JsonPropertyName("num_hidden_layers")]
    public int NumLayers { get; init; } = 12;

    /// <summary>Number of attention heads A; must divide <see cref="HiddenSize"/>. Default 12.</summary>
    [JsonPropertyName("num_attention_heads")]
    public int NumHeads { get; init; } = 12;

    /// <summary>Width of the feed-forward (and of every expert's) inner layer. Default 3072.</summary>
    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; } = 3072;

    /// <summary>Number of learned position embeddings (longest sequence). Default 512.</summary>
    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositions { get; init; } = 512;

    /// <summary>Number of segment (token type) embeddings. Default 2.</summary>
    [JsonPropertyName("type_vocab_size")]
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>Dropout after embeddings and every sublayer output. Default 0.1 (paper: 0.1, BERT's; Devlin et al.).</summary>
    [JsonPropertyName("hidden_dropout_prob")]
    public double HiddenDropout { get; init; } = 0.1;

    /// <summary>Dropout on the attention probabilities. Default 0.1 (paper: 0.1, BERT's; Devlin et al.).</summary>
    [JsonPropertyName("attention_probs_dropout_prob")]
    public double AttentionDropout { get; init; } = 0.1;

    /// <summary>LayerNorm epsilon. Default 1e-12 (as BERT / Hugging Face).</summary>
    [JsonPropertyName("layer_norm_eps")]
    public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Standard deviation of the normal weight initialisation. Default 0.02.</summary>
    [JsonPropertyName("initializer_range")]
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Experts per layer: 0 gives vanilla BERT; a positive count makes every FFN a Switch MoE layer. Default 0 (paper: 64 for its MoE models).</summary>
    [JsonPropertyName("expert_count")]
    public int ExpertCount { get; init; }

    /// <summary>
    /// Switch capacity factor: while training, each expert takes at most <c>ceil(CapacityFactor * tokens / ExpertCount)</c>
    /// tokens of a batch and the overflow passes through the residual only. Inference (eval mode) routes every token, so a
    /// row's output never depends on the other rows of its batch. Default null: dropless routing.
    /// </summary>
    [JsonPropertyName("capacity_factor")]
    public double? CapacityFactor { get; init; }

    /// <summary>Houlsby adapter bottleneck width; 0 means no adapters. Default 0.</summary>
    [JsonPropertyName("adapter_size")]
    public int AdapterSize { get; init; }

    /// <summary>Id of the padding token, whose embedding row starts at zero and gets no gradient. Default 0 (<c>[PAD]</c>).</summary>
    [JsonPropertyName("pad_token_id")]
    public int PadTokenId { get; init; }

    /// <summary>The paper's small model: L=12, H=128, A=2, FFN 512, 128 positions (about 6.3 M parameters).</summary>
    public static BertConfig PaperSmall { get; } = new()
    {
        NumLayers = 12, HiddenSize = 128, NumHeads = 2, IntermediateSize = 512, MaxPositions = 128,
    };

    /// <summary>The paper's large model, BERT-base: L=12, H=768, A=12, FFN 3072, 512 positions (about 110 M parameters).</summary>
    public static BertConfig PaperLarge { get; } = new()
    {
        NumLayers = 12, HiddenSize = 768, NumHeads = 12, IntermediateSize = 3072, MaxPositions = 512,
    };

    /// <summary>A tiny model for tests and smoke runs: L=2, H=64, A=2, FFN 128, 128 positions.</summary>
    public static BertConfig Tiny { get; } = new()
    {
        NumLayers = 2, HiddenSize = 64, NumHeads = 2, IntermediateSize = 128, MaxPositions = 128,
    };

    /// <summary>Width of one attention head (<see cref="HiddenSize"/> / <see cref="NumHeads"/>).</summary>
    [JsonIgnore]
    public int HeadSize => HiddenSize / NumHeads;

    /// <summary>True when every FFN is a Switch Mixture-of-Experts layer.</summary>
    [JsonIgnore]
    public bool IsMoe => ExpertCount > 0;

    /// <summary>This configuration with <paramref name="count"/> experts per layer (0 turns MoE off).</summary>
    public BertConfig WithExperts(int count) => this with { ExpertCount = count };

    /// <summary>Throws unless sequences of <paramref name="length"/> tokens fit this model's <see cref="MaxPositions"/>.</summary>
    /// <param name="length">The sequence length asked for.</param>
    /// <param name="optionName">The option that set it, as the caller knows it, e.g. "Training.MaxSequenceLength".</param>
    /// <param name="modelRole">What the model is to the caller, e.g. "teacher" or "pre-trained model".</param>
    /// <exception cref="ArgumentOutOfRangeException">The length exceeds MaxPositions; the message names the option, the model and the limit.</exception>
    public void RequireSequenceFits(int length, string optionName, string modelRole)
    {
        if (length > MaxPositions)
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                $"{optionName} is {length} but the {modelRole} has only {MaxPositions} positions (BertConfig.MaxPositions); set it to at most {MaxPositions}.");
        }
    }

    /// <summary>Throws unless a tokeniser of <paramref name="vocabularySize"/> tokens is this model's vocabulary (as large as <see cref="VocabSize"/>).</summary>
    /// <param name="vocabularySize">The tokeniser's size, e.g. <c>BertTextEncoder.VocabularySize</c>.</param>
    /// <param name="modelRole">What the model is to the caller, e.g. "teacher" or "model".</param>
    /// <exception cref="ArgumentException">The sizes differ; the message names both and the fix.</exception>
    public void RequireVocabulary(int vocabularySize, string modelRole)
    {
        if (vocabularySize != VocabSize)
        {
            throw new ArgumentException($"The tokeniser has {vocabularySize} tokens but the {modelRole}'s VocabSize is {VocabSize}; {UseTheModelsVocabulary}");
        }
    }

    /// <summary>
    /// Throws unless token id <paramref name="largestTokenId"/>, the largest of some encoded input, has a row in this
    /// model's embeddings (is below <see cref="VocabSize"/>); libtorch would otherwise fail with "index out of range in self".
    /// </summary>
    /// <param name="largestTokenId">The largest token id of the input.</param>
    /// <param name="inputName">The input as the caller's user knows it, e.g. "Example 3".</param>
    /// <param name="modelRole">What the model is to the caller, e.g. "model".</param>
    /// <exception cref="ArgumentException">The id is too large; the message names the input, the id, VocabSize and the fix.</exception>
    public void RequireTokenIdFits(int largestTokenId, string inputName, string modelRole)
    {
        if (largestTokenId >= VocabSize)
        {
            throw new ArgumentException(
                $"{inputName} has token id {largestTokenId} but the {modelRole}'s VocabSize is {VocabSize}, so it was encoded with a larger " +
                $"tokeniser than the model's; {UseTheModelsVocabulary}");
        }
    }

    private const string UseTheModelsVocabulary =
        "use the vocabulary the model was trained with (BertTextEncoder.ForModelFolder reads the one a saved model folder holds).";

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first invalid option and how to fix it.
    /// Returns this configuration so calls can be chained.
    /// </summary>
    public BertConfig Validate()
    {
        RequirePositive(VocabSize, nameof(VocabSize));
        RequirePositive(HiddenSize, nameof(HiddenSize));
        RequirePositive(NumLayers, nameof(NumLayers));
        RequirePositive(NumHeads, nameof(NumHeads));
        RequirePositive(IntermediateSize, nameof(IntermediateSize));
        RequirePositive(MaxPositions, nameof(MaxPositions));
        RequirePositive(TypeVocabSize, nameof(TypeVocabSize));
        if (HiddenSize % NumHeads != 0)
        {
            throw Invalid(nameof(NumHeads), $"HiddenSize ({HiddenSize}) must be divisible by NumHeads ({NumHeads}); choose a head count that divides the hidden size.");
        }

        RequireProbability(HiddenDropout, nameof(HiddenDropout));
        RequireProbability(AttentionDropout, nameof(AttentionDropout));
        if (!(LayerNormEps > 0))
        {
            throw Invalid(nameof(LayerNormEps), $"LayerNormEps must be positive (got {Format(LayerNormEps)}); BERT uses 1e-12.");
        }

        if (!(InitializerRange > 0))
        {
            throw Invalid(nameof(InitializerRange), $"InitializerRange must be positive (got {Format(InitializerRange)}); BERT uses 0.02.");
        }

        if (ExpertCount < 0)
        {
            throw Invalid(nameof(ExpertCount), $"ExpertCount must be 0 (vanilla BERT) or positive (got {ExpertCount}).");
        }

        if (CapacityFactor is { } factor && !(factor > 0))
        {
            throw Invalid(nameof(CapacityFactor), $"CapacityFactor must be positive or null for dropless routing (got {Format(factor)}).");
        }

        if (CapacityFactor is not null && ExpertCount == 0)
        {
            throw Invalid(nameof(CapacityFactor), "CapacityFactor only applies to MoE models; set ExpertCount > 0 or leave CapacityFactor null.");
        }

        if (AdapterSize < 0)
        {
            throw Invalid(nameof(AdapterSize), $"AdapterSize must be 0 (no adapters) or positive (got {AdapterSize}).");
        }

        if (PadTokenId < 0 || PadTokenId >= VocabSize)
        {
            throw Invalid(nameof(PadTokenId), $"PadTokenId ({PadTokenId}) must be a valid token id in [0, {VocabSize}).");
        }

        return this;
    }

    /// <summary>
    /// Number of trainable parameters, computed from the configuration alone (no allocation).
    /// With <paramref name="includeMlmHead"/> it equals <see cref="BertForMaskedLm"/> (whose decoder is tied to the
    /// word embeddings and which, as in Hugging Face, has no pooler); <paramref name="includePooler"/> adds the pooler
    /// (<see cref="BertModel"/> with its pooler is <c>CountParameters(false, true)</c>).
    /// </summary>
    public long CountParameters(bool includeMlmHead = true, bool includePooler = false)
    {
        long h = HiddenSize, i = IntermediateSize, e = ExpertCount;
        long layerNorm = 2 * h;
        long embeddings = ((long)VocabSize + MaxPositions + TypeVocabSize) * h + layerNorm;
        long attention = 4 * (h * h + h) + layerNorm;
        long denseFfn = h * i + i + i * h + h;
        long ffn = (IsMoe ? e * denseFfn + h * e + e : denseFfn) + layerNorm;
        long adapters = AdapterSize > 0 ? 2 * (h * AdapterSize + AdapterSize + AdapterSize * h + h) : 0;
        long total = embeddings + NumLayers * (attention + ffn + adapters);
        if (includePooler)
        {
            total += h * h + h;
        }

        if (includeMlmHead)
        {
            total += h * h + h + layerNorm + VocabSize;
        }

        return total;
    }

    /// <summary>Serialises this configuration as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// Reads a configuration from JSON and validates it. Unknown properties (an HF config's <c>model_type</c>, say) are
    /// ignored, but a key that is one of ours spelt another way (<c>NumLayers</c>, <c>hiddenSize</c>) is refused: it
    /// would otherwise leave that setting at its default without a word.
    /// </summary>
    /// <exception cref="JsonException">
    /// The JSON is malformed, null, misspells a key (the message gives the right one) or lacks one of the keys that set
    /// the weights' shapes (<c>vocab_size</c>, <c>hidden_size</c>, <c>num_hidden_layers</c>, <c>num_attention_heads</c>,
    /// <c>intermediate_size</c>, <c>max_position_embeddings</c>); the others default as their properties say.
    /// </exception>
    /// <exception cref="ArgumentException">A value is out of range (see <see cref="Validate"/>).</exception>
    public static BertConfig FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var config = JsonSerializer.Deserialize<BertConfig>(json, JsonOptions)
                     ?? throw new JsonException("The BERT configuration JSON is 'null'; expected an object with hidden_size, num_hidden_layers, ...");
        using (var document = JsonDocument.Parse(json))
        {
            foreach (var key in document.RootElement.EnumerateObject().Select(property => property.Name))
            {
                if (JsonKeysByLooseName.Value.TryGetValue(LooseName(key), out var jsonKey) && key != jsonKey)
                {
                    throw new JsonException($"'{key}' is not a configuration key; the key for that setting is '{jsonKey}'.");
                }
            }

            var missing = ShapeKeys.Where(key => !document.RootElement.TryGetProperty(key, out _)).ToList();
            if (missing.Count > 0)
            {
                throw new JsonException(
                    $"it has no {string.Join(", ", missing)}; these set the shapes of the weights, so a configuration must give them " +
                    "rather than leave them at BERT-base's values.");
            }
        }

        return config.Validate();
    }

    /// <summary>The keys every configuration file has: a missing one would build a model the weights do not fit.</summary>
    private static readonly string[] ShapeKeys =
        ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "max_position_embeddings"];

    private static string LooseName(string key) => key.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw Invalid(name, $"{name} must be positive (got {value}).");
        }
    }

    private static void RequireProbability(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw Invalid(name, $"{name} must be in [0, 1) (got {Format(value)}).");
        }
    }

    private static ArgumentException Invalid(string name, string message) =>
        new($"Invalid BertConfig.{name}: {message}", name);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
