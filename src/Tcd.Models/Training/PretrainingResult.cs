namespace Tcd.Models.Training;

/// <summary>How a pre-training run ended.</summary>
/// <param name="Steps">Optimizer steps completed (including those before a resumption).</param>
/// <param name="Cancelled">
/// True when the run stopped early on cancellation (after saving a checkpoint of its last finished step, unless that
/// step was saved already or no step ran).
/// </param>
/// <param name="LastLosses">The loss terms of the last step (see <see cref="PretrainingProgress.Losses"/>).</param>
/// <param name="ValidationLogLikelihood">Mean masked-token log-likelihood on the held-out segments at the end, if any were given.</param>
/// <param name="LastCheckpoint">The newest checkpoint folder, or null when checkpoints are off or none was written.</param>
public sealed record PretrainingResult(
    long Steps,
    bool Cancelled,
    IReadOnlyDictionary<string, double> LastLosses,
    double? ValidationLogLikelihood,
    string? LastCheckpoint)
{
    /// <summary>
    /// The step of the checkpoint this run resumed from (equal to <see cref="Steps"/> when that checkpoint had already
    /// reached the last step), or null when it started from step 0.
    /// </summary>
    public long? ResumedFromStep { get; init; }

    /// <summary>A one-line summary: steps, how the run started and ended, the last losses and the checkpoint.</summary>
    public override string ToString()
    {
        var values = LastLosses.Select(kv => FormattableString.Invariant($"{kv.Key}={kv.Value:g4}")).ToList();
        if (ValidationLogLikelihood is { } ll)
        {
            values.Add(FormattableString.Invariant($"val-ll={ll:F4}"));
        }

        var figures = values.Count == 0 ? string.Empty : ": " + string.Join(' ', values);
        var resumed = ResumedFromStep switch
        {
            null => string.Empty,
            var from when from == Steps && !Cancelled => " (its checkpoint had already reached the last step)",
            var from => $" (resumed at step {from})",
        };
        var checkpoint = LastCheckpoint is null ? string.Empty : $", checkpoint {LastCheckpoint}";
        var end = Steps == 0 ? "before its first step" : $"at step {Steps}";
        return $"{(Cancelled ? "cancelled" : "finished")} {end}{resumed}{figures}{checkpoint}";
    }
}
