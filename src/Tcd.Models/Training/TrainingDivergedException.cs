namespace Tcd.Models.Training;

/// <summary>
/// Thrown when a loss becomes NaN or infinite. The run stops before the optimizer applies the poisoned gradient,
/// so no checkpoint holds bad weights; the message names the step and the last good checkpoint.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(long step, string lossName, double value, string? lastGoodCheckpoint)
        : base($"Training diverged at step {step}: loss '{lossName}' is {value}. " +
               (lastGoodCheckpoint is null
                   ? "No checkpoint was written yet; lower the learning rate or λ weights and start again."
                   : $"The last good checkpoint is '{lastGoodCheckpoint}'; lower the learning rate or λ weights and resume from it."))
    {
        Step = step;
        LossName = lossName;
        LastGoodCheckpoint = lastGoodCheckpoint;
    }

    /// <summary>The 0-based step whose loss was not finite.</summary>
    public long Step { get; }

    /// <summary>The loss term that was not finite.</summary>
    public string LossName { get; }

    /// <summary>The newest checkpoint written before the divergence, if any.</summary>
    public string? LastGoodCheckpoint { get; }
}
