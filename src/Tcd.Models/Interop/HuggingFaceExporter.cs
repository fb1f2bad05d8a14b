using System.Text.Json.Nodes;
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using static TorchSharp.torch;

namespace Tcd.Models.Interop;

/// <summary>
/// Writes models as Hugging Face checkpoint folders: <c>config.json</c> (with <c>architectures</c> and
/// <c>model_type</c>), <c>model.safetensors</c> under <c>transformers</c>' tensor names, and the tokenizer files.
/// A vanilla export loads with <c>BertForMaskedLM.from_pretrained(folder)</c> (or the matching class); as
/// <c>save_pretrained</c> does, the decoder weight tied to the word embeddings is not stored twice.
/// MoE models are written in a documented layout of their own (<c>model_type</c>
/// <see cref="HuggingFaceCheckpoint.MoeModelType"/>, experts stacked per layer) that only this library reads back;
/// see <c>docs/huggingface-interop.md</c>.
/// </summary>
public static class HuggingFaceExporter
{
    /// <summary>The vocabulary file written next to the weights.</summary>
    public const string VocabularyFileName = BertTextEncoder.VocabularyFileName;

    /// <summary>The tokenizer configuration file written next to the weights.</summary>
    public const string TokenizerConfigFileName = BertTokenizerSettings.FileName;

    /// <summary>The special-token map written next to the weights.</summary>
    public const string SpecialTokensFileName = "special_tokens_map.json";

    /// <summary>
    /// The files of a checkpoint folder that an export writes or that <c>transformers</c> would read beside them
    /// (weights in every format and their shard indexes, the generation and tokenizer files). An export into the folder
    /// of an earlier one deletes them first, so that none is left behind for <c>from_pretrained</c> to pick up.
    /// </summary>
    public static IReadOnlyList<string> CheckpointFileNames { get; } =
    [
        HuggingFaceCheckpoint.ConfigFileName, HuggingFaceCheckpoint.SafeTensorsFileName, HuggingFaceCheckpoint.SafeTensorsFileName + ".index.json",
        HuggingFaceCheckpoint.PyTorchFileName, HuggingFaceCheckpoint.PyTorchFileName + ".index.json", "tf_model.h5", "flax_model.msgpack",
        "generation_config.json", VocabularyFileName, BertTokenizerSettings.FastTokenizerFileName, TokenizerConfigFileName, SpecialTokensFileName, "added_tokens.json",
    ];

    /// <summary>
    /// True when an export may write into <paramref name="folder"/>: it does not exist, is empty, or holds an earlier
    /// export (a Hugging Face <c>config.json</c>, see <see cref="HuggingFaceCheckpoint.IsCheckpointFolder"/>), whose
    /// <see cref="CheckpointFileNames"/> the export replaces. Any other folder is refused: its files could be read by
    /// <c>transformers</c> as part of the export.
    /// </summary>
    public static bool CanExportInto(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return !Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any() || HuggingFaceCheckpoint.IsCheckpointFolder(folder);
    }

    /// <summary>Exports a masked-LM model as <c>BertForMaskedLM</c> (or <c>TcdMoeBertForMaskedLM</c>) into <paramref name="folder"/>.</summary>
    /// <exception cref="NotSupportedException">The model has adapters, which Hugging Face BERT does not have.</exception>
    /// <exception cref="IOException">The folder holds other files than an earlier export (see <see cref="CanExportInto"/>).</exception>
    public static void Save(BertForMaskedLm model, string folder, HuggingFaceExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Write(model, model.Config, HuggingFaceArchitecture.BertForMaskedLM, folder, labelNames: null, options ?? new());
    }

    /// <summary>
    /// Exports a sequence classifier as <c>BertForSequenceClassification</c> (or its <c>TcdMoe</c> form), with
    /// <c>id2label</c> from <see cref="HuggingFaceExportOptions.LabelNames"/> and <c>problem_type</c> regression for one output.
    /// </summary>
    /// <exception cref="NotSupportedException">The model has adapters, which Hugging Face BERT does not have.</exception>
    public static void Save(BertForSequenceClassification model, string folder, HuggingFaceExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new();
        var labels = options.LabelNames ?? Enumerable.Range(0, model.NumLabels).Select(id => $"LABEL_{id}").ToList();
        if (labels.Count != model.NumLabels)
        {
            throw new ArgumentException(
                $"HuggingFaceExportOptions.LabelNames has {labels.Count} names but the model has {model.NumLabels} outputs; give one name per output.",
                nameof(options));
        }

        Write(model, model.Config, HuggingFaceArchitecture.BertForSequenceClassification, folder, labels, options);
    }

    /// <summary>
    /// Exports a bare encoder as <c>BertModel</c> (or <c>TcdMoeBertModel</c>). An encoder without a pooler, such as
    /// <c>BertForMaskedLm.Bert</c> (pre-training here trains none), is written without <c>pooler.*</c> weights, so
    /// <c>transformers</c>' <c>BertModel</c> initialises its pooler randomly (with a warning): its <c>pooler_output</c>
    /// then means nothing; use <c>last_hidden_state</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">The model has adapters, which Hugging Face BERT does not have.</exception>
    public static void Save(BertModel model, string folder, HuggingFaceExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Write(model, model.Config, HuggingFaceArchitecture.BertModel, folder, labelNames: null, options ?? new());
    }

    private static void Write(
        nn.Module module, BertConfig config, HuggingFaceArchitecture architecture, string folder, IReadOnlyList<string>? labelNames, HuggingFaceExportOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (config.AdapterSize > 0)
        {
            throw new NotSupportedException(
                $"The model has Houlsby adapters (AdapterSize {config.AdapterSize}), which Hugging Face BERT has no place for; " +
                "save it with BertModelStore.Save instead.");
        }

        var tokenizer = options.IncludeTokenizer ? options.Tokenizer ?? BertTextEncoder.CreateUncased() : null;
        if (tokenizer is not null && tokenizer.VocabularySize != config.VocabSize)
        {
            throw new ArgumentException(
                $"HuggingFaceExportOptions.Tokenizer has {tokenizer.VocabularySize} tokens{(options.Tokenizer is null ? " (the embedded BERT uncased vocabulary)" : string.Empty)} " +
                $"but the model's VocabSize is {config.VocabSize}; set it to the tokenizer the model was trained with " +
                "(BertTextEncoder.ForModelFolder(modelFolder)), or IncludeTokenizer = false.",
                nameof(options));
        }

        if (!CanExportInto(folder))
        {
            throw new IOException(
                $"The folder '{folder}' is not empty and holds no earlier export (no Hugging Face config.json); transformers could read its files " +
                "as part of the checkpoint. Export into a new or empty folder.");
        }

        var stateDict = module.state_dict();
        var dtype = stateDict.Values.First().dtype;
        // config.json marks the folder as an export (CanExportInto): it is replaced whole before the other files are
        // deleted, so an export stopped midway leaves a folder the next export may write into.
        CheckpointStore.ReplaceAtomically(Path.Combine(folder, HuggingFaceCheckpoint.ConfigFileName), HuggingFaceConfigJson.Write(config, architecture, dtype, labelNames));
        foreach (var name in CheckpointFileNames.Where(name => name != HuggingFaceCheckpoint.ConfigFileName))
        {
            File.Delete(Path.Combine(folder, name));
        }

        // transformers refuses safetensors files without this metadata ("does not contain the valid metadata").
        SafeTensorsFile.Write(Path.Combine(folder, HuggingFaceCheckpoint.SafeTensorsFileName), stateDict, new Dictionary<string, string> { ["format"] = "pt" });
        if (tokenizer is not null)
        {
            WriteTokenizer(folder, tokenizer, config.MaxPositions);
        }
    }

    private static void WriteTokenizer(string folder, BertTextEncoder tokenizer, int maxLength)
    {
        File.WriteAllText(Path.Combine(folder, VocabularyFileName), tokenizer.VocabularyFileText);
        var special = new JsonObject
        {
            ["unk_token"] = "[UNK]",
            ["sep_token"] = "[SEP]",
            ["pad_token"] = "[PAD]",
            ["cls_token"] = "[CLS]",
            ["mask_token"] = "[MASK]",
        };
        var configuration = (JsonObject)special.DeepClone();
        configuration["tokenizer_class"] = "BertTokenizer";
        foreach (var (key, value) in tokenizer.Settings.ToJsonObject())
        {
            configuration[key] = value?.DeepClone();
        }

        configuration["model_max_length"] = maxLength;
        File.WriteAllText(Path.Combine(folder, TokenizerConfigFileName), configuration.ToJsonString(TcdJson.Indented));
        File.WriteAllText(Path.Combine(folder, SpecialTokensFileName), special.ToJsonString(TcdJson.Indented));
    }
}
