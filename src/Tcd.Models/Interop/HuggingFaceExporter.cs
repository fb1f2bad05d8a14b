using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
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
    public const string VocabularyFileName = "vocab.txt";

    /// <summary>The tokenizer configuration file written next to the weights.</summary>
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    /// <summary>The special-token map written next to the weights.</summary>
    public const string SpecialTokensFileName = "special_tokens_map.json";

    /// <summary>Exports a masked-LM model as <c>BertForMaskedLM</c> (or <c>TcdMoeBertForMaskedLM</c>) into <paramref name="folder"/>.</summary>
    /// <exception cref="NotSupportedException">The model has adapters, which Hugging Face BERT does not have.</exception>
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

    /// <summary>Exports a bare encoder as <c>BertModel</c> (or <c>TcdMoeBertModel</c>).</summary>
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

        var vocabulary = options.IncludeTokenizer ? Vocabulary(options.VocabularyFile, config.VocabSize) : null;
        var stateDict = module.state_dict();
        var dtype = stateDict.Values.First().dtype;
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, HuggingFaceCheckpoint.ConfigFileName), HuggingFaceConfigJson.Write(config, architecture, dtype, labelNames));
        // transformers refuses safetensors files without this metadata ("does not contain the valid metadata").
        SafeTensorsFile.Write(Path.Combine(folder, HuggingFaceCheckpoint.SafeTensorsFileName), stateDict, new Dictionary<string, string> { ["format"] = "pt" });
        if (vocabulary is not null)
        {
            WriteTokenizer(folder, vocabulary, config.MaxPositions, options.DoLowerCase);
        }
    }

    private static void WriteTokenizer(string folder, byte[] vocabulary, int maxLength, bool doLowerCase)
    {
        File.WriteAllBytes(Path.Combine(folder, VocabularyFileName), vocabulary);
        var special = new JsonObject
        {
            ["unk_token"] = "[UNK]",
            ["sep_token"] = "[SEP]",
            ["pad_token"] = "[PAD]",
            ["cls_token"] = "[CLS]",
            ["mask_token"] = "[MASK]",
        };
        var tokenizer = (JsonObject)special.DeepClone();
        tokenizer["tokenizer_class"] = "BertTokenizer";
        tokenizer["do_lower_case"] = doLowerCase;
        tokenizer["strip_accents"] = null;
        tokenizer["tokenize_chinese_chars"] = true;
        tokenizer["model_max_length"] = maxLength;
        File.WriteAllText(Path.Combine(folder, TokenizerConfigFileName), tokenizer.ToJsonString(TcdJson.Indented));
        File.WriteAllText(Path.Combine(folder, SpecialTokensFileName), special.ToJsonString(TcdJson.Indented));
    }

    private static byte[] Vocabulary(string? path, int vocabSize)
    {
        byte[] bytes;
        if (path is null)
        {
            using var stream = typeof(BertTextEncoder).Assembly.GetManifestResourceStream(BertTextEncoder.UncasedVocabularyResource)
                               ?? throw new InvalidOperationException($"The embedded vocabulary '{BertTextEncoder.UncasedVocabularyResource}' is missing; rebuild Tcd.Models.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        else if (File.Exists(path))
        {
            bytes = File.ReadAllBytes(path);
        }
        else
        {
            throw new FileNotFoundException($"HuggingFaceExportOptions.VocabularyFile '{path}' does not exist; pass a WordPiece vocab.txt or null for the embedded BERT uncased vocabulary.", path);
        }

        var lines = bytes.Count(value => value == (byte)'\n') + (bytes.Length > 0 && bytes[^1] != (byte)'\n' ? 1 : 0);
        if (lines != vocabSize)
        {
            throw new ArgumentException(
                $"The vocabulary {(path is null ? "(embedded BERT uncased)" : $"'{path}'")} has {lines} tokens but the model's VocabSize is {vocabSize}; " +
                "set HuggingFaceExportOptions.VocabularyFile to the vocabulary the model was trained with, or IncludeTokenizer = false.");
        }

        return bytes;
    }
}
