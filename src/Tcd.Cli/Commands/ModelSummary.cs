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
    (string Folder, string Description)? Run)
{
    private const string ClassifierWeightName = "classifier.weight";

    /// <summary>Reads the summary of the model in <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">A file of the folder is damaged; the message names it.</exception>
    public static ModelSummary Read(string folder)
    {
        var config = BertModelStore.LoadConfig(folder);
        var header = SafeTensorsFile.ReadHeader(Path.Combine(folder, BertModelStore.WeightsFileName));
        var kind = BertModelStore.KindOf(folder);
        long Count(SafeTensorInfo tensor) => tensor.Shape.Aggregate(1L, (product, size) => product * size);
        var parameters = header.Sum(Count);
        var expertWeights = header.Where(tensor => tensor.Name.Contains(".experts.", StringComparison.Ordinal)).Sum(Count);
        var active = config.IsMoe ? parameters - expertWeights / config.ExpertCount * (config.ExpertCount - 1) : parameters;
        var outputs = kind == SavedModelKind.SequenceClassifier && header.FirstOrDefault(tensor => tensor.Name == ClassifierWeightName) is { Shape.Length: 2 } head
            ? (int)head.Shape[0]
            : (int?)null;
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
            header.Select(tensor => tensor.DType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            new FileInfo(Path.Combine(folder, BertModelStore.WeightsFileName)).Length,
            encoder.Settings.ToString(),
            encoder.VocabularySize,
            File.Exists(Path.Combine(folder, BertTextEncoder.VocabularyFileName)),
            GlueSuiteModel.ReadPretrainingLogLikelihood(folder)?.Value,
            DescribeRun(folder));
    }

    /// <summary>The summary as lines for a console: a label, then what it says.</summary>
    public IEnumerable<(string Label, string Text)> Lines()
    {
        yield return ("model", Folder);
        yield return ("kind", DescribeKind());
        var experts = Config.IsMoe
            ? Invariant($", {Config.ExpertCount} experts per layer (top-1, ") +
              (Config.CapacityFactor is { } factor ? Invariant($"capacity factor {factor:g3})") : "no capacity limit)")
            : ", no experts";
        var adapters = Config.AdapterSize > 0 ? Invariant($", Houlsby adapters of size {Config.AdapterSize}") : string.Empty;
        yield return ("shape", Invariant($"{Config.NumLayers} layers, hidden {Config.HiddenSize}, {Config.NumHeads} heads, FFN {Config.IntermediateSize}") +
            experts + adapters + Invariant($", up to {Config.MaxPositions} positions"));
        var perToken = Config.IsMoe ? Invariant($", {Millions(ActiveParameters)} active per token (one expert of {Config.ExpertCount} per layer)") : string.Empty;
        yield return ("parameters", Invariant($"{Millions(Parameters)} in {Tensors} tensors ({string.Join(", ", WeightTypes)}, {WeightBytes / 1e6:F1} MB)") + perToken);
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

    /// <summary>The summary as a JSON object (snake_case keys; absent values are null).</summary>
    public JsonObject ToJson() => new()
    {
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

    private static string Millions(long count) => Invariant($"{count / 1e6:F2} M");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
