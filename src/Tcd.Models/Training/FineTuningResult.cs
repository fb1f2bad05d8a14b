namespace Tcd.Models.Training;

/// <summary>The outcome of fine-tuning.</summary>
/// <param name="EpochLosses">Mean training loss of each epoch (a cancelled epoch's covers the steps it ran).</param>
/// <param name="EpochScores">Validation score after each completed epoch (empty without validation).</param>
/// <param name="BestEpoch">
/// With validation, the 1-based best-scoring epoch, whose weights are restored at the end (after a cancellation too).
/// Without validation, the last completed epoch; the model holds the weights of the last step run, which after a
/// cancellation may lie partway into the next epoch. 0 when no epoch was completed (or none had a validation score that is a number).
/// </param>
/// <param name="BestScore">The validation score of <paramref name="BestEpoch"/>, if validated.</param>
/// <param name="Cancelled">True when the run stopped early on cancellation.</param>
public sealed record FineTuningResult(
    IReadOnlyList<double> EpochLosses, IReadOnlyList<double> EpochScores, int BestEpoch, double? BestScore, bool Cancelled)
{
    /// <summary>
    /// The checkpoint a cancelled run wrote (or resumed from, when it wrote none after), from which the next run
    /// continues; for a finished run with <see cref="FineTuningOptions.KeepCheckpointsWhenDone"/>, the one of its last
    /// step; null when the run finished (its checkpoints are deleted then) or had none.
    /// </summary>
    public string? LastCheckpoint { get; init; }

    /// <summary>The step of the checkpoint this run resumed from, or null when it started from the beginning.</summary>
    public long? ResumedFromStep { get; init; }

    /// <summary>A one-line summary: how the run ended, each epoch's mean loss (a cancelled epoch's too) and score, and the epoch kept.</summary>
    public override string ToString()
    {
        var losses = string.Join(", ", EpochLosses.Select(loss => loss.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)));
        var scores = EpochScores.Count == 0 ? string.Empty : $"; validation {string.Join(", ", EpochScores.Select(score => score.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}";
        var held = BestEpoch != 0 ? $"holds epoch {BestEpoch}" : EpochScores.Count > 0 ? "no epoch had a validation score that is a number" : "no epoch completed";
        var resumed = ResumedFromStep is { } step ? FormattableString.Invariant($" (resumed at step {step})") : string.Empty;
        return $"{(Cancelled ? "cancelled" : "finished")}{resumed}: mean loss per epoch {(losses.Length == 0 ? "none" : losses)}{scores}; {held}";
    }
}
