namespace Tcd.Models.Training;

/// <summary>
/// Thrown when a loss becomes NaN or infinite, in pre-training or fine-tuning. The run stops before the optimizer applies
/// the poisoned gradient, so no checkpoint holds bad weights; the message names the step (and epoch) and the last good
/// checkpoint, if the run writes any.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for a pre-training run, whose checkpoints a user can resume from.</summary>
    public TrainingDivergedException(long step, string lossName, double value, string? lastGoodCheckpoint)
        : this(
            $"Training diverged at step {step}: {lossName} is {value}. " +
            (lastGoodCheckpoint is null
                ? "No checkpoint was written yet; lower the learning rate or λ weights and start again."
                : $"The last good checkpoint is '{lastGoodCheckpoint}'; lower the learning rate or λ weights and resume from it."),
            step, epoch: null, lossName, lastGoodCheckpoint)
    {
    }

    private TrainingDivergedException(string message, long step, int? epoch, string lossName, string? lastGoodCheckpoint)
        : base(message)
    {
        Step = step;
        Epoch = epoch;
        NonFiniteQuantity = lossName;
        LastGoodCheckpoint = lastGoodCheckpoint;
    }

    /// <summary>
    /// The exception for a fine-tuning run. Fine-tuning writes no checkpoints, so the advice is to start again from the
    /// pre-trained model with a lower learning rate.
    /// </summary>
    /// <param name="epoch">The 1-based epoch of the step.</param>
    /// <param name="step">The 1-based step (counted over all epochs) whose loss was not finite.</param>
    /// <param name="lossName">The loss, e.g. "loss 'cross-entropy'".</param>
    /// <param name="value">Its value (NaN or infinite).</param>
    public static TrainingDivergedException InFineTuning(int epoch, long step, string lossName, double value) => new(
        $"Fine-tuning diverged at step {step} (epoch {epoch}): {lossName} is {value}; the weights were not updated with it. " +
        "Fine-tuning writes no checkpoints and the model now holds the weights of the steps before: start again from the " +
        "pre-trained model with a lower FineTuningOptions.LearningRate.",
        step, epoch, lossName, lastGoodCheckpoint: null);

    /// <summary>The 1-based step whose loss (or, before a save, whose weights) was not finite.</summary>
    public long Step { get; }

    /// <summary>The 1-based epoch of <see cref="Step"/> in a fine-tuning run; null in pre-training, which counts steps only.</summary>
    public int? Epoch { get; }

    /// <summary>What was not finite: a loss term ("loss 'mlm'") or a parameter ("parameter bert.…").</summary>
    public string NonFiniteQuantity { get; }

    /// <summary>The newest checkpoint written before the divergence, if any.</summary>
    public string? LastGoodCheckpoint { get; }
}
