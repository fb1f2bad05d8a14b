namespace Tcd.Models.Training;

/// <summary>The outcome of fine-tuning.</summary>
/// <param name="EpochLosses">Mean training loss of each epoch.</param>
/// <param name="EpochScores">Validation score after each epoch (empty without validation).</param>
/// <param name="BestEpoch">1-based epoch whose weights the model holds at the end (the last epoch without validation).</param>
/// <param name="BestScore">The validation score of <paramref name="BestEpoch"/>, if validated.</param>
/// <param name="Cancelled">True when the run stopped early on cancellation.</param>
public sealed record FineTuningResult(
    IReadOnlyList<double> EpochLosses, IReadOnlyList<double> EpochScores, int BestEpoch, double? BestScore, bool Cancelled);
