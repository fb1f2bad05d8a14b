using static TorchSharp.torch;

namespace Tcd.Models.Interop;

/// <summary>
/// Maps the tensor names of a Hugging Face BERT checkpoint onto this library's state dicts, which already use the
/// Hugging Face names: only legacy spellings, non-persistent buffers, tied copies and heads a target model lacks
/// need handling. Renaming never copies a tensor, so the caller disposes the file's tensors once.
/// </summary>
internal static class HuggingFaceStateDict
{
    /// <summary>Prefix of the encoder's tensors in every Hugging Face BERT class except <c>BertModel</c>.</summary>
    public const string EncoderPrefix = "bert.";

    /// <summary>What to do with a checkpoint whose head cannot be loaded: keep its encoder.</summary>
    public const string EncoderOnlyAdvice =
        "Import just its encoder: with HuggingFaceCheckpoint.LoadBertModel, or under a new masked-LM head to fine-tune it " +
        "(HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead, tcd import-hf --encoder-only).";

    /// <summary>The first tensor of a sequence-classification head.</summary>
    public const string ClassifierWeight = "classifier.weight";

    private const string PoolerPrefix = "pooler.";
    private const string PoolerIsNoPartOfMaskedLm = "the pooler is not part of a masked-LM model (as in Hugging Face BertForMaskedLM)";
    private const string PredictionsPrefix = "cls.predictions.";
    private const string NextSentencePrefix = "cls.seq_relationship.";
    private const string WordEmbeddings = "bert.embeddings.word_embeddings.weight";
    private const string OutputBias = "cls.predictions.bias";
    private const string DecoderWeight = "cls.predictions.decoder.weight";
    private const string DecoderBias = "cls.predictions.decoder.bias";

    // Checkpoints converted from the original TensorFlow code name LayerNorm parameters gamma and beta.
    private static readonly (string Legacy, string Current)[] LegacySuffixes =
    [
        ("LayerNorm.gamma", "LayerNorm.weight"),
        ("LayerNorm.beta", "LayerNorm.bias"),
    ];

    // Buffers older transformers versions saved; both are recomputed (arange / zeros) at every forward here.
    private static readonly string[] BufferSuffixes = ["embeddings.position_ids", "embeddings.token_type_ids"];

    /// <summary>
    /// The file's tensors under current names: legacy LayerNorm names renamed, saved index buffers dropped
    /// (with a note in <paramref name="notes"/>).
    /// </summary>
    public static Dictionary<string, Tensor> Canonical(IReadOnlyDictionary<string, Tensor> file, List<string> notes)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var renamed = 0;
        foreach (var (name, tensor) in file)
        {
            var current = name;
            foreach (var (legacy, replacement) in LegacySuffixes)
            {
                if (name.EndsWith(legacy, StringComparison.Ordinal))
                {
                    current = name[..^legacy.Length] + replacement;
                    renamed++;
                }
            }

            result[current] = tensor;
        }

        if (renamed > 0)
        {
            notes.Add($"Renamed {renamed} TensorFlow-style LayerNorm tensors (gamma/beta) to weight/bias.");
        }

        Drop(result, name => BufferSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal)),
            "index buffers, recomputed at every forward pass", notes);
        return result;
    }

    /// <summary>
    /// True when <paramref name="name"/> only repeats another of <paramref name="names"/>: the masked-LM decoder's tied
    /// copy of the word embeddings or of the output bias, which the import folds into the original (<see cref="FitMaskedLm"/>).
    /// </summary>
    public static bool IsTiedCopy(string name, IReadOnlyCollection<string> names) =>
        (name == DecoderWeight && names.Contains(WordEmbeddings)) || (name == DecoderBias && names.Contains(OutputBias));

    /// <summary>True when the tensor names include a masked-LM head.</summary>
    public static bool HasMaskedLmHead(IEnumerable<string> names) => names.Any(name => name.StartsWith(PredictionsPrefix, StringComparison.Ordinal));

    /// <summary>The class a checkpoint was most likely saved from, judged by its tensor names.</summary>
    public static HuggingFaceArchitecture Infer(IReadOnlyCollection<string> names)
    {
        if (!names.Any(name => name.StartsWith(EncoderPrefix, StringComparison.Ordinal)))
        {
            return HuggingFaceArchitecture.BertModel;
        }

        if (names.Contains(ClassifierWeight))
        {
            return HuggingFaceArchitecture.BertForSequenceClassification;
        }

        if (HasMaskedLmHead(names))
        {
            return names.Any(name => name.StartsWith(NextSentencePrefix, StringComparison.Ordinal))
                ? HuggingFaceArchitecture.BertForPreTraining
                : HuggingFaceArchitecture.BertForMaskedLM;
        }

        return HuggingFaceArchitecture.BertModel;
    }

    /// <summary>
    /// Fits <paramref name="tensors"/> (canonical names) to <c>BertForMaskedLm</c>: drops the pooler and the
    /// next-sentence head, and checks the tied decoder copies against the tensors they duplicate.
    /// </summary>
    public static void FitMaskedLm(Dictionary<string, Tensor> tensors, string source, List<string> notes)
    {
        if (!HasMaskedLmHead(tensors.Keys))
        {
            throw new InvalidDataException(
                $"'{source}' has no masked-LM head (cls.predictions.*), so it cannot be loaded as a masked-LM model. " + EncoderOnlyAdvice);
        }

        Drop(tensors, name => name.StartsWith(EncoderPrefix + PoolerPrefix, StringComparison.Ordinal),
            PoolerIsNoPartOfMaskedLm + "; LoadBertModel keeps it", notes);
        Drop(tensors, name => name.StartsWith(NextSentencePrefix, StringComparison.Ordinal),
            "the next-sentence-prediction head of BertForPreTraining, which masked-LM pre-training here does not use", notes);
        FoldTiedCopy(tensors, DecoderWeight, WordEmbeddings, source, "the decoder weight must be tied to the word embeddings");
        FoldTiedCopy(tensors, DecoderBias, OutputBias, source, "the decoder bias must be the same tensor as cls.predictions.bias");
    }

    /// <summary>Fits <paramref name="tensors"/> to <c>BertForSequenceClassification</c>; the names already match.</summary>
    public static void RequireClassifier(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        if (!tensors.ContainsKey(ClassifierWeight))
        {
            throw new InvalidDataException(
                $"'{source}' has no {ClassifierWeight}, so it does not hold a sequence classifier; load the encoder with " +
                "HuggingFaceCheckpoint.LoadBertModel and add a head with BertForSequenceClassification.");
        }
    }

    /// <summary>
    /// Fits <paramref name="tensors"/> to a bare <c>BertModel</c>: keeps the <c>bert.*</c> tensors without their
    /// prefix and drops every head. A checkpoint without the prefix is already in <c>BertModel</c> layout.
    /// </summary>
    public static Dictionary<string, Tensor> ForBertModel(Dictionary<string, Tensor> tensors, List<string> notes) =>
        WithoutHeads(tensors, "task heads, which a bare BertModel does not have", notes);

    /// <summary>
    /// Fits <paramref name="tensors"/> to the encoder of a <c>BertForMaskedLm</c> whose head is new: keeps the
    /// <c>bert.*</c> tensors without their prefix, and drops every head and the pooler, which a masked-LM model lacks.
    /// </summary>
    public static Dictionary<string, Tensor> ForMaskedLmEncoder(Dictionary<string, Tensor> tensors, List<string> notes)
    {
        var encoder = WithoutHeads(tensors, "the checkpoint's heads, replaced by a new masked-LM head", notes);
        Drop(encoder, name => name.StartsWith(PoolerPrefix, StringComparison.Ordinal),
            PoolerIsNoPartOfMaskedLm, notes);
        return encoder;
    }

    private static Dictionary<string, Tensor> WithoutHeads(Dictionary<string, Tensor> tensors, string reason, List<string> notes)
    {
        if (!tensors.Keys.Any(name => name.StartsWith(EncoderPrefix, StringComparison.Ordinal)))
        {
            return tensors;
        }

        Drop(tensors, name => !name.StartsWith(EncoderPrefix, StringComparison.Ordinal), reason, notes);
        return tensors.ToDictionary(pair => pair.Key[EncoderPrefix.Length..], pair => pair.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Removes <paramref name="copy"/>, a tied duplicate of <paramref name="original"/>, after checking it is equal;
    /// when only the copy is present it takes the original's name.
    /// </summary>
    private static void FoldTiedCopy(Dictionary<string, Tensor> tensors, string copy, string original, string source, string rule)
    {
        if (!tensors.Remove(copy, out var duplicate))
        {
            return;
        }

        if (!tensors.TryGetValue(original, out var kept))
        {
            tensors[original] = duplicate;
            return;
        }

        if (!kept.shape.SequenceEqual(duplicate.shape))
        {
            // The original's own shape check reports the problem; an extra copy would only repeat it.
            return;
        }

        using var scope = NewDisposeScope();
        if (!kept.eq(duplicate).all().item<bool>())
        {
            throw new InvalidDataException(
                $"'{source}' has {copy} different from {original}, but {rule} (tie_word_embeddings). " +
                "Untied masked-LM decoders are not supported; tie the weights before saving the checkpoint.");
        }
    }

    private static void Drop(Dictionary<string, Tensor> tensors, Func<string, bool> matches, string reason, List<string> notes)
    {
        var dropped = tensors.Keys.Where(matches).Order(StringComparer.Ordinal).ToList();
        foreach (var name in dropped)
        {
            tensors.Remove(name);
        }

        if (dropped.Count > 0)
        {
            notes.Add($"Ignored {string.Join(", ", dropped)}: {reason}.");
        }
    }
}
