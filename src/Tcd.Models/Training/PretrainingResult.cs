namespace Tcd.Models.Training;

/// <summary>How a pre-training run ended.</summary>
/// <param name="Steps">Optimizer steps completed (including those before a resumption).</param>
/// <param name="Cancelled">True when the run stopped early on cancellation (after saving a checkpoint).</param>
/// <param name="LastLosses">The loss terms of the last step (see <see cref="PretrainingProgress.Losses"/>).</param>
/// <param name="ValidationLogLikelihood">Mean masked-token log-likelihood on the held-out segments at the end, if any were given.</param>
/// <param name="LastCheckpoint">The newest checkpoint folder, or null when checkpoints are off.</param>
public sealed record PretrainingResult(
    long Steps,
    bool Cancelled,
    IReadOnlyDictionary<string, double> LastLosses,
    double? ValidationLogLikelihood,
    string? LastCheckpoint);
