namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd import-hf</c> was asked to do.</summary>
/// <param name="Source">The Hugging Face checkpoint folder.</param>
/// <param name="Output">The model folder written.</param>
internal sealed record ImportHfSettings(string Source, string Output);
