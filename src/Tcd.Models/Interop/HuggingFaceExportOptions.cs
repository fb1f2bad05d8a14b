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
    /// WordPiece vocabulary to write as <c>vocab.txt</c> (one token per line); its size must equal the model's
    /// <c>VocabSize</c>. Null (the default) writes the BERT uncased vocabulary embedded in this library.
    /// </summary>
    public string? VocabularyFile { get; init; }

    /// <summary>The tokenizer's <c>do_lower_case</c>. Default true (uncased BERT, as the embedded vocabulary).</summary>
    public bool DoLowerCase { get; init; } = true;

    /// <summary>
    /// Class names by label id for a sequence classifier (<c>id2label</c>); null (the default) writes
    /// <c>LABEL_0</c>, <c>LABEL_1</c>, ... as <c>transformers</c> does.
    /// </summary>
    public IReadOnlyList<string>? LabelNames { get; init; }
}
