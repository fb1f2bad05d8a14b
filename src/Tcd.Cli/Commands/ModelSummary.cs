using System.Globalization;
using System.Text.Json.Nodes;
using Tcd.Experiments.Glue;
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;

namespace Tcd.Cli.Commands;

/// <summary>
/// What <c>tcd info</c> tells of a model folder, read from its files alone (config, the weights file's header,
/// tokenizer files, the records beside it), so it needs no native library and no time to load weights.
/// </summary>
/// <param name="Folder">The model folder.</param>
/// <param name="Kind">What the weights hold; null when their tensor names match no known head.</param>
/// <param name="Config">The architecture.</param>
/// <param name="Outputs">A classifier's outputs (1 for a regressor), else null.</param>
/// <param name="ClassNames">A classifier's class names and where they come from, when known.</param>
/// <param name="Parameters">Weights in the file.</param>
/// <param name="ActiveParameters">Weights a token passes through: a MoE layer routes each token to one expert.</param>
/// <param name="Tensors">Tensors in the file.</param>
/// <param name="WeightTypes">The tensors' element types (safetensors names, e.g. F32).</param>
/// <param name="WeightBytes">Size of the weights file.</param>
/// <param name="Tokenizer">The tokenizer's settings, e.g. uncased.</param>
/// <param name="VocabularySize">Tokens of the tokenizer's vocabulary.</param>
/// <param name="OwnVocabulary">Whether the folder has a vocabulary file of its own (else the built-in BERT uncased one).</param>
/// <param name="PretrainingLogLikelihood">The held-out masked-token log-likelihood recorded at pre-training, if any.</param>
/// <param name="Run">The run folder the model was saved into by <c>tcd</c>, if any, with what its result file says.</param>
internal sealed record ModelSummary(
    string Folder,
    SavedModelKind? Kind,
    BertConfig Config,
    int? Outputs,
    (IReadOnlyList<string> Names, string Source)? ClassNames,
    long Parameters,
    long ActiveParameters,
    int Tensors,
    IReadOnlyList<string> WeightTypes,
    long WeightBytes,
    string Tokenizer,
    int VocabularySize,
    bool OwnVocabulary,
    double? PretrainingLogLikelihood,
    (string Folder, string Description)? Run) : IModelDescription
{
    private const string ClassifierWeightName = "classifier.weight";

    /// <summary>Reads the summary of the model in <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">A file of the folder is damaged; the message names it.</exception>
    public static ModelSummary Read(string folder)
    {
        var config = BertModelStore.LoadConfig(folder);
        var header = SafeTensorsFile.ReadHeader(Path.Combine(folder, BertModelStore.WeightsFileName));
        var kind = BertModelStore.KindOf(folder);
        var (parameters, active) = CountParameters(header, config);
        var outputs = kind == SavedModelKind.SequenceClassifier ? ClassifierOutputs(header) : null;
        var encoder = BertTextEncoder.ForModelFolder(folder);
        return new ModelSummary(
            folder,
            kind,
            config,
            outputs,
            outputs is { } classes ? ClassNamesFile.Find(folder, classes) : null,
            parameters,
            active,
            header.Count,
            WeightTypesOf(header),
            new FileInfo(Path.Combine(folder, BertModelStore.WeightsFileName)).Length,
            encoder.Settings.ToString(),
            encoder.VocabularySize,
            File.Exists(Path.Combine(folder, BertTextEncoder.VocabularyFileName)),
            GlueSuiteModel.ReadPretrainingLogLikelihood(folder)?.Value,
            DescribeRun(folder));
    }

    /// <summary>
    /// The weights in <paramref name="header"/>, and those a token passes through: a MoE layer routes each token to one
    /// of its experts, so all but one expert's share of the expert weights is left out.
    /// </summary>
    public static (long All, long PerToken) CountParameters(IReadOnlyList<SafeTensorInfo> header, BertConfig config)
    {
        static long Count(SafeTensorInfo tensor) => tensor.Shape.Aggregate(1L, (product, size) => product * size);
        var all = header.Sum(Count);
        var expertWeights = header.Where(tensor => tensor.Name.Contains(".experts.", StringComparison.Ordinal)).Sum(Count);
        return (all, config.IsMoe ? all - expertWeights / config.ExpertCount * (config.ExpertCount - 1) : all);
    }

    /// <summary>The outputs of the classification head in <paramref name="header"/> (the rows of <c>classifier.weight</c>); null without one.</summary>
    public static int? ClassifierOutputs(IReadOnlyList<SafeTensorInfo> header) =>
        header.FirstOrDefault(tensor => tensor.Name == ClassifierWeightName) is { Shape.Length: 2 } head ? (int)head.Shape[0] : null;

    /// <summary>The <c>shape</c> line of a model of <paramref name="config"/>: layers, widths, experts, adapters, positions and vocabulary.</summary>
    public static string DescribeShape(BertConfig config)
    {
        var experts = config.IsMoe
            ? Invariant($", {config.ExpertCount} experts per layer (top-1, ") +
              (config.CapacityFactor is { } factor ? Invariant($"capacity factor {factor:g3})") : "no capacity limit)")
            : ", no experts";
        var adapters = config.AdapterSize > 0 ? Invariant($", Houlsby adapters of size {config.AdapterSize}") : string.Empty;
        return Invariant($"{config.NumLayers} layers, hidden {config.HiddenSize}, {config.NumHeads} heads, FFN {config.IntermediateSize}") +
            experts + adapters + Invariant($", up to {config.MaxPositions} positions, vocabulary {config.VocabSize:N0}");
    }

    /// <summary>
    /// The <c>parameters</c> line: <paramref name="all"/> weights in <paramref name="tensors"/> tensors of the given
    /// types and file size, and for a MoE model those a token passes through.
    /// </summary>
    public static string DescribeParameters(BertConfig config, long all, long perToken, int tensors, IReadOnlyList<string> weightTypes, long weightBytes)
    {
        var active = config.IsMoe ? Invariant($", {Millions(perToken)} active per token (one expert of {config.ExpertCount} per layer)") : string.Empty;
        return Invariant($"{Millions(all)} in {tensors} tensors ({string.Join(", ", weightTypes)}, {weightBytes / 1e6:F1} MB)") + active;
    }

    /// <summary>The distinct element types of the tensors in <paramref name="header"/>, in ordinal order.</summary>
    public static IReadOnlyList<string> WeightTypesOf(IReadOnlyList<SafeTensorInfo> header) =>
        header.Select(tensor => tensor.DType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <inheritdoc/>
    public IEnumerable<(string Label, string Text)> Lines()
    {
        yield return ("model", Folder);
        yield return ("kind", DescribeKind());
        yield return ("shape", DescribeShape(Config));
        yield return ("parameters", DescribeParameters(Config, Parameters, ActiveParameters, Tensors, WeightTypes, WeightBytes));
        var vocabulary = OwnVocabulary ? $"the folder's {BertTextEncoder.VocabularyFileName}" : "the built-in BERT uncased vocabulary";
        yield return ("tokenizer", Invariant($"{Tokenizer} WordPiece, {VocabularySize:N0} tokens ({vocabulary})"));
        if (PretrainingLogLikelihood is { } logLikelihood)
        {
            yield return ("pre-training", Invariant($"held-out masked-token log-likelihood {logLikelihood:F4}"));
        }

        if (Run is var (runFolder, description))
        {
            yield return ("run", $"{runFolder}: {description}");
        }
    }

    /// <inheritdoc/>
    public JsonObject ToJson() => new()
    {
        ["format"] = "tcd",
        ["model"] = Folder,
        ["kind"] = Kind?.ToString(),
        ["layers"] = Config.NumLayers,
        ["hidden_size"] = Config.HiddenSize,
        ["attention_heads"] = Config.NumHeads,
        ["intermediate_size"] = Config.IntermediateSize,
        ["experts"] = Config.ExpertCount,
        ["capacity_factor"] = Config.CapacityFactor,
        ["adapter_size"] = Config.AdapterSize,
        ["max_positions"] = Config.MaxPositions,
        ["vocab_size"] = Config.VocabSize,
        ["outputs"] = Outputs,
        ["class_names"] = ClassNames is var (names, _) ? new JsonArray(names.Select(name => (JsonNode?)name).ToArray()) : null,
        ["parameters"] = Parameters,
        ["active_parameters"] = ActiveParameters,
        ["tensors"] = Tensors,
        ["weight_types"] = new JsonArray(WeightTypes.Select(type => (JsonNode?)type).ToArray()),
        ["weight_bytes"] = WeightBytes,
        ["tokenizer"] = Tokenizer,
        ["vocabulary_size"] = VocabularySize,
        ["own_vocabulary"] = OwnVocabulary,
        ["pretraining_log_likelihood"] = PretrainingLogLikelihood,
        ["run"] = Run?.Folder,
        ["run_description"] = Run?.Description,
    };

    private string DescribeKind() => Kind switch
    {
        SavedModelKind.MaskedLanguageModel => "masked-language model (pre-trained: fill-mask, eval, finetune, distill --teacher)",
        SavedModelKind.SequenceClassifier when Outputs == 1 => "sequence regressor (one output)",
        SavedModelKind.SequenceClassifier => $"sequence classifier, {Outputs} classes" +
            (ClassNames is var (names, source) ? $": {string.Join(", ", names)} (from {source})" : string.Empty),
        SavedModelKind.Encoder => "encoder without a head (import-hf --encoder-only)",
        _ => "unknown: the weights' tensor names match no head this library saves",
    };

    /// <summary>What the result file of the run folder holding <paramref name="folder"/> says, when tcd saved the model there.</summary>
    private static (string Folder, string Description)? DescribeRun(string folder)
    {
        if (ModelFolders.RunResultFile(folder) is not { } resultFile)
        {
            return null;
        }

        var runFolder = Path.GetDirectoryName(resultFile)!;

        try
        {
            var result = JsonNode.Parse(File.ReadAllText(resultFile)) as JsonObject;
            var description = result switch
            {
                { } finetune when finetune["task"] is not null =>
                    Invariant($"tcd finetune on {finetune["task"]}, best epoch {finetune["best_epoch"]}, dev score {(double?)finetune["dev_score"]:F2}"),
                { } pretrain when pretrain["steps"] is not null => DescribePretraining(runFolder, (long?)pretrain["steps"] ?? 0),
                _ => null,
            };
            return description is null ? null : (runFolder, description);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return (runFolder, $"{PretrainCommand.ResultFileName} cannot be read ({ex.Message})");
        }
    }

    /// <summary>
    /// How a <c>pretrain</c> or <c>distill</c> run made its model, as its <c>tcd-config.json</c> records it: the steps, a
    /// distillation's teacher, and the saved model it started from (<c>--init</c>), if any.
    /// </summary>
    private static string DescribePretraining(string runFolder, long steps)
    {
        var config = RunFolderGuard.ReadConfig(Path.Combine(runFolder, PretrainCommand.EffectiveConfigFileName));
        string? Recorded(string key) => config?[key] is JsonValue value && value.TryGetValue<string>(out var path) && path.Length > 0 ? path : null;
        var distilled = RunFolderGuard.MadeBy(runFolder) == "distill";
        var description = (distilled ? "distilled " : "pre-trained ") + UserMessages.Count(steps, "step");
        if (distilled && Recorded("teacher") is { } teacher)
        {
            description += $" from teacher {teacher}";
        }

        return Recorded("init") is { } init ? $"{description}, starting from {init}" : description;
    }

    /// <summary><paramref name="count"/> in millions with two decimals, e.g. <c>4.39 M</c>.</summary>
    public static string Millions(long count) => Invariant($"{count / 1e6:F2} M");

    /// <summary>The text formatted with the invariant culture.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
