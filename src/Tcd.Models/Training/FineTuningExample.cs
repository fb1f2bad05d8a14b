using Tcd.Models.Data;

namespace Tcd.Models.Training;

/// <summary>One encoded training example and its target: a class index (as a float) or a regression score.</summary>
/// <param name="Input">The encoded text (or pair).</param>
/// <param name="Target">Class index for classification; the score for regression.</param>
public sealed record FineTuningExample(EncodedText Input, float Target);
