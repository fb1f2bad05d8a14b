using System.Text.Json.Nodes;
using Tcd.Models.Data;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using static Tcd.Cli.Commands.ModelSummary;

namespace Tcd.Cli.Commands;

/// <summary>
/// What <c>tcd info</c> tells of a Hugging Face checkpoint folder (<c>config.json</c> + <c>model.safetensors</c> or
/// <c>pytorch_model.bin</c>, as <c>tcd export-hf</c> writes one), read from <c>config.json</c> and the weights file
/// (a <c>model.safetensors</c>'s header, a <c>pytorch_model.bin</c> whole) as
/// <see cref="HuggingFaceCheckpoint.DescribeReadingWeights"/> gives them, with the <c>tcd import-hf</c> that makes a
/// model folder of it.
/// </summary>
/// <param name="Folder">The checkpoint folder.</param>
/// <param name="Contents">Its configuration, class, labels and tensors.</param>
/// <param name="Parameters">Weights in the weights file (a tied copy once) and those a token uses; null without one.</param>
/// <param name="WeightBytes">Size of the weights file; null without one.</param>
/// <param name="Tokenizer">The settings of the tokenizer an import takes, e.g. uncased; null when none fits the model.</param>
/// <param name="VocabularySize">Tokens of that tokenizer; null when none fits the model.</param>
/// <param name="TokenizerProblem">Why no tokenizer fits the model (which the import refuses); null when one does.</param>
/// <param name="TokenizerFiles">The tokenizer files of the folder.</param>
internal sealed record HuggingFaceSummary(
    string Folder,
    HuggingFaceCheckpointContents Contents,
    (long All, long PerToken)? Parameters,
    long? WeightBytes,
    string? Tokenizer,
    int? VocabularySize,
    string? TokenizerProblem,
    IReadOnlyList<string> TokenizerFiles) : IModelDescription
{
    private const string OutPlaceholder = "<dir>";

    private static readonly string[] TokenizerFileNames =
        [BertTextEncoder.VocabularyFileName, BertTokenizerSettings.FileName, BertTokenizerSettings.FastTokenizerFileName];

    /// <summary>Reads the summary of the checkpoint in <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is of a model tcd cannot read (e.g. GPT-2), or a file of it is damaged; the message says which.</exception>
    public static HuggingFaceSummary Read(string folder)
    {
        HuggingFaceCheckpointContents contents;
        try
        {
            contents = HuggingFaceCheckpoint.Describe(folder);
            if (contents.Tensors is null && contents.WeightsPath is not null)
            {
                // Only reading a pytorch_model.bin whole lists its tensors, which takes libtorch.
                TorchRuntime.EnsureAvailable();
                contents = HuggingFaceCheckpoint.DescribeReadingWeights(folder);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{folder}' holds a Hugging Face checkpoint that tcd can neither describe nor import: {ex.Message}", ex);
        }

        var (tokenizer, vocabularySize, problem) = ReadTokenizer(folder);
        return new HuggingFaceSummary(
            folder,
            contents,
            contents.Tensors is { } tensors ? CountParameters(tensors, contents.Config) : null,
            contents.WeightsPath is { } weights ? new FileInfo(weights).Length : null,
            tokenizer,
            vocabularySize,
            problem,
            TokenizerFileNames.Where(name => File.Exists(Path.Combine(folder, name))).ToList());
    }

    /// <summary>What an import makes of the checkpoint; null when only the encoder-only import reads it.</summary>
    private SavedModelKind? Kind => Contents.Architecture switch
    {
        HuggingFaceArchitecture.BertForMaskedLM or HuggingFaceArchitecture.BertForPreTraining => SavedModelKind.MaskedLanguageModel,
        HuggingFaceArchitecture.BertForSequenceClassification when !Contents.IsMultiLabel => SavedModelKind.SequenceClassifier,
        HuggingFaceArchitecture.BertModel => SavedModelKind.Encoder,
        _ => null,
    };

    /// <summary>A classifier's outputs: the rows of its head in the header, else the names of <c>id2label</c>.</summary>
    private int? Outputs => Contents.Architecture == HuggingFaceArchitecture.BertForSequenceClassification
        ? (Contents.Tensors is { } tensors ? ClassifierOutputs(tensors) : null) ?? Contents.LabelNames?.Count
        : null;

    /// <summary>The classes <c>id2label</c> names, one per output, unless they are transformers' placeholders.</summary>
    private IReadOnlyList<string>? ClassNames =>
        Contents.LabelNames is { } names && names.Count == Outputs && !ClassNamesFile.ArePlaceholders(names) ? names : null;

    /// <summary>
    /// True when the import to give is the encoder-only one: a plain import refuses the checkpoint's head (an unknown
    /// class, a multi-label classifier) or makes a bare encoder of it, which only export-hf reads.
    /// </summary>
    private bool NeedsEncoderOnly =>
        Kind == SavedModelKind.Encoder || (Kind is null && (Contents.ArchitectureName is not null || Contents.Architecture is not null || Contents.IsMultiLabel));

    /// <summary>The import that makes a tcd model folder of the checkpoint.</summary>
    private string ImportCommand => NeedsEncoderOnly
        ? $"tcd import-hf --encoder-only --from {Folder} --out {OutPlaceholder}"
        : $"tcd import-hf --from {Folder} --out {OutPlaceholder}";

    /// <inheritdoc/>
    public IEnumerable<(string Label, string Text)> Lines()
    {
        yield return ("model", Folder);
        yield return ("format", Contents.WeightsPath is { } weights
            ? $"Hugging Face checkpoint ({HuggingFaceCheckpoint.ConfigFileName} + {Path.GetFileName(weights)})"
            : $"Hugging Face checkpoint without weights: {HuggingFaceCheckpoint.ConfigFileName} but neither {HuggingFaceCheckpoint.SafeTensorsFileName} nor {HuggingFaceCheckpoint.PyTorchFileName}");
        yield return ("architecture", DescribeArchitecture());
        yield return ("kind", DescribeKind());
        yield return ("shape", DescribeShape(Contents.Config));
        yield return ("parameters", DescribeWeights());
        yield return ("tokenizer", DescribeTokenizer());
        if (Contents.WeightsPath is not null)
        {
            var untilTokenizerFits = TokenizerProblem is null ? string.Empty : $", once the folder has the model's own {BertTextEncoder.VocabularyFileName}";
            yield return ("import", $"{ImportCommand} {DescribeImport()}{untilTokenizerFits}");
        }
    }

    /// <inheritdoc/>
    public JsonObject ToJson() => new()
    {
        ["format"] = "huggingface",
        ["model"] = Folder,
        ["architecture"] = Contents.ArchitectureName ?? Contents.Architecture?.ToString(),
        ["kind"] = Kind?.ToString(),
        ["layers"] = Contents.Config.NumLayers,
        ["hidden_size"] = Contents.Config.HiddenSize,
        ["attention_heads"] = Contents.Config.NumHeads,
        ["intermediate_size"] = Contents.Config.IntermediateSize,
        ["experts"] = Contents.Config.ExpertCount,
        ["capacity_factor"] = Contents.Config.CapacityFactor,
        ["max_positions"] = Contents.Config.MaxPositions,
        ["vocab_size"] = Contents.Config.VocabSize,
        ["outputs"] = Outputs,
        ["class_names"] = ClassNames is { } names ? new JsonArray(names.Select(name => (JsonNode?)name).ToArray()) : null,
        ["parameters"] = Parameters?.All,
        ["active_parameters"] = Parameters?.PerToken,
        ["tensors"] = Contents.Tensors?.Count,
        ["weight_types"] = Contents.Tensors is { } tensors ? new JsonArray(WeightTypesOf(tensors).Select(type => (JsonNode?)type).ToArray()) : null,
        ["weights_file"] = Contents.WeightsPath is { } weights ? Path.GetFileName(weights) : null,
        ["weight_bytes"] = WeightBytes,
        ["tokenizer"] = Tokenizer,
        ["vocabulary_size"] = VocabularySize,
        ["own_vocabulary"] = TokenizerFiles.Contains(BertTextEncoder.VocabularyFileName),
        ["tokenizer_problem"] = TokenizerProblem,
        ["tokenizer_files"] = new JsonArray(TokenizerFiles.Select(name => (JsonNode?)name).ToArray()),
        ["import_command"] = Contents.WeightsPath is null ? null : ImportCommand,
    };

    private string DescribeArchitecture() => (Contents.ArchitectureName, Contents.Architecture) switch
    {
        ({ } name, _) => name,
        (null, { } inferred) => $"none named in {HuggingFaceCheckpoint.ConfigFileName}; {inferred} by its tensor names",
        _ => $"none named in {HuggingFaceCheckpoint.ConfigFileName}",
    };

    private string DescribeKind() => Kind switch
    {
        SavedModelKind.MaskedLanguageModel when Contents.Architecture == HuggingFaceArchitecture.BertForPreTraining =>
            "masked-language model, with a next-sentence head that the import leaves out",
        SavedModelKind.MaskedLanguageModel => "masked-language model",
        SavedModelKind.SequenceClassifier when Outputs == 1 => "sequence regressor (one output)",
        SavedModelKind.SequenceClassifier => $"sequence classifier, {Outputs} classes" + (ClassNames is { } names
            ? $": {string.Join(", ", names)} (from {HuggingFaceCheckpoint.ConfigFileName} id2label)"
            : " (unnamed)"),
        SavedModelKind.Encoder => "encoder without a head",
        _ when Contents.IsMultiLabel => "multi-label sequence classifier: each label scored on its own with a sigmoid, which tcd's softmax classifiers do not compute",
        _ when Contents.ArchitectureName is { } name => $"a BERT encoder under a head tcd does not compute ({name})",
        _ => "a BERT model whose head its weights tell",
    };

    private string DescribeWeights()
    {
        if (Contents.WeightsPath is null)
        {
            return "no weights file";
        }

        var (all, perToken) = Parameters!.Value;
        var tensors = Contents.Tensors!;
        var counted = DescribeParameters(Contents.Config, all, perToken, tensors.Count, WeightTypesOf(tensors), WeightBytes ?? 0);
        return Path.GetFileName(Contents.WeightsPath) == HuggingFaceCheckpoint.PyTorchFileName
            ? $"{counted}; counted from the tensors stored in {HuggingFaceCheckpoint.PyTorchFileName}, a tied copy (the masked-LM decoder's) once"
            : counted;
    }

    private string DescribeImport() => Kind switch
    {
        SavedModelKind.MaskedLanguageModel => "makes a tcd masked-language model of it (fill-mask, eval, finetune, distill --teacher)",
        SavedModelKind.SequenceClassifier => "makes a tcd sequence classifier of it (predict, export-hf)" + (ClassNames is null ? string.Empty : ", its class names kept in labels.json"),
        SavedModelKind.Encoder => "gives its encoder a new masked-LM head to fine-tune or pre-train further (without --encoder-only: a bare encoder only export-hf reads)",
        _ when !NeedsEncoderOnly => "makes a tcd model of it, of the kind its tensor names tell",
        _ => "makes a tcd masked-language model of its encoder under a new masked-LM head; its own head is left out",
    };

    private string DescribeTokenizer()
    {
        var files = TokenizerFiles.Count > 0 ? $"tokenizer files: {string.Join(", ", TokenizerFiles)}" : "no tokenizer files";
        if (TokenizerProblem is { } problem)
        {
            return $"none that fits, so import-hf refuses the folder ({files}): {problem}";
        }

        var vocabulary = TokenizerFiles.Contains(BertTextEncoder.VocabularyFileName)
            ? $"the folder's {BertTextEncoder.VocabularyFileName}"
            : $"no {BertTextEncoder.VocabularyFileName}, so the import takes the built-in BERT uncased vocabulary";
        return Invariant($"{Tokenizer} WordPiece, {VocabularySize:N0} tokens ({vocabulary}); {files}");
    }

    /// <summary>The settings and size of the tokenizer an import gives the model; why none fits it, instead, when that is so.</summary>
    private static (string? Settings, int? VocabularySize, string? Problem) ReadTokenizer(string folder)
    {
        try
        {
            var encoder = BertTextEncoder.ForModelFolder(folder);
            return (encoder.Settings.ToString(), encoder.VocabularySize, null);
        }
        catch (InvalidDataException ex)
        {
            // The rest of the checkpoint is still worth describing; the tokenizer is what the import would refuse.
            return (null, null, ex.Message);
        }
    }
}
