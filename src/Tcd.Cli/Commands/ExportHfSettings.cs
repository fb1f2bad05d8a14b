namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd export-hf</c> was asked to do.</summary>
/// <param name="Model">The model folder read.</param>
/// <param name="Output">The Hugging Face checkpoint folder written.</param>
/// <param name="IncludeTokenizer">Also write vocab.txt and the tokenizer configuration.</param>
internal sealed record ExportHfSettings(string Model, string Output, bool IncludeTokenizer);
