namespace Tcd.Experiments.Glue;

/// <summary>
/// The suite settings a stored cell depends on besides its key. A stored cell whose settings differ from the current
/// run's is trained again rather than reused.
/// </summary>
/// <param name="Epochs">Maximum epochs (best epoch on dev).</param>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="WarmupRatio">Warm-up fraction.</param>
/// <param name="WeightDecay">AdamW weight decay.</param>
/// <param name="MaxSequenceLength">Maximum tokens per example.</param>
/// <param name="MaxTrainExamples">Training-set cap, or null for all.</param>
/// <param name="MaxEvaluationExamples">Dev-set cap, or null for all.</param>
/// <param name="GroupByLength">
/// Whether batches held examples of like length (<see cref="GlueSuiteOptions.GroupByLength"/>). A cell stored before
/// the option existed has no such value and reads as false, which is how it was trained (random batches), so it is reused.
/// </param>
public sealed record GlueCellSettings(
    int Epochs,
    int BatchSize,
    double WarmupRatio,
    double WeightDecay,
    int MaxSequenceLength,
    int? MaxTrainExamples,
    int? MaxEvaluationExamples,
    bool GroupByLength = false);
