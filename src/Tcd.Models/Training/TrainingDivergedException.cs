namespace Tcd.Models.Training;

/// <summary>
/// Thrown when a loss becomes NaN or infinite. The run stops before the optimizer applies the poisoned gradient,
/// so no checkpoint holds bad weights; the message names the step and the last good checkpoint.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(long step, string lossName, double value, string? lastGoodCheckpoint)
        : base($"Training diverged at step {step}: {lossName} is {value}. " +
               (lastGoodCheckpoint is null
                   ? "No checkpoint was written yet; lower the learning rate or λ weights and start again."
                   : $"The last good checkpoint is '{lastGoodCheckpoint}'; lower the learning rate or λ weights and resume from it."))
    {
        Step = step;
        NonFiniteQuantity = lossName;
        LastGoodCheckpoint = lastGoodCheckpoint;
    }

    /// <summary>The 1-based step whose loss (or, before a save, whose weights) was not finite.</summary>
    public long Step { get; }

    /// <summary>What was not finite: a loss term ("loss 'mlm'") or a parameter ("parameter bert.…").</summary>
    public string NonFiniteQuantity { get; }

    /// <summary>The newest checkpoint written before the divergence, if any.</summary>
    public string? LastGoodCheckpoint { get; }
}
