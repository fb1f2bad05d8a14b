namespace Tcd.Experiments.Glue;

/// <summary>A model's held-out masked-token log-likelihood as its <c>pretraining.json</c> holds it.</summary>
/// <param name="Value">The mean log-likelihood of the masked tokens (negative, e.g. −2.33).</param>
/// <param name="PerSegmentMasks">
/// True when it was scored with each segment's mask drawn on its own (this version's <c>MaskedLmEvaluator</c>, whatever
/// the batch size); false for files of earlier versions, whose masks depended on the evaluation batch, so their values
/// are not comparable with newer ones.
/// </param>
public sealed record PretrainingLogLikelihood(double Value, bool PerSegmentMasks);
