namespace Tcd.MLNet.Transformers;

/// <summary>The text (and optional second text) of one input row.</summary>
internal readonly record struct TextRow(string Text, string? Pair);
