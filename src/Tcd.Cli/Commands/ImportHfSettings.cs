using System.Text.Json.Nodes;

namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd import-hf</c> was asked to do.</summary>
/// <param name="Source">The Hugging Face checkpoint folder.</param>
/// <param name="Output">The model folder written.</param>
/// <param name="EncoderOnly">Keep only the checkpoint's encoder, under a new masked-LM head.</param>
/// <param name="Seed">Seed of that new head.</param>
/// <param name="EffectiveOptions">Every option's value, written to the model folder's tcd-config.json, which marks it as an import.</param>
internal sealed record ImportHfSettings(string Source, string Output, bool EncoderOnly, long Seed, IReadOnlyDictionary<string, JsonNode?> EffectiveOptions);
