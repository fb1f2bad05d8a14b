using Tcd.Models.Data;

namespace Tcd.Models.Interop;

/// <summary>Options of <see cref="HuggingFaceExporter"/>.</summary>
public sealed record HuggingFaceExportOptions
{
    /// <summary>
    /// Whether to write the tokenizer files (<c>vocab.txt</c>, <c>tokenizer_config.json</c>,
    /// <c>special_tokens_map.json</c>) so that <c>AutoTokenizer.from_pretrained(folder)</c> works. Default true.
    /// </summary>
    public bool IncludeTokenizer { get; init; } = true;

    /// <summary>
    /// The tokenizer to write: its vocabulary as <c>vocab.txt</c> (its size must equal the model's <c>VocabSize</c>)
    /// and its <see cref="BertTextEncoder.Settings"/> as <c>do_lower_case</c>, <c>strip_accents</c> and
    /// <c>tokenize_chinese_chars</c>, e.g. <c>BertTextEncoder.ForModelFolder(modelFolder)</c>. Default null: the BERT
    /// uncased vocabulary embedded in this library (<see cref="BertTextEncoder.CreateUncased"/>).
    /// </summary>
    public BertTextEncoder? Tokenizer { get; init; }

    /// <summary>
    /// Class names by label id for a sequence classifier (<c>id2label</c>). Default null: <c>LABEL_0</c>,
    /// <c>LABEL_1</c>, ... as <c>transformers</c> writes.
    /// </summary>
    public IReadOnlyList<string>? LabelNames { get; init; }
}
