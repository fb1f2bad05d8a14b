using System.Globalization;

namespace Tcd.Models.Training;

/// <summary>
/// Thrown when a loss becomes NaN or infinite, in pre-training or fine-tuning, or (with gradient clipping on, the default)
/// the gradients' norm does behind a finite loss. The run stops before the optimizer applies the poisoned gradient, so no
/// checkpoint holds bad weights; the message names the step (and, in fine-tuning, the epoch) and the last good checkpoint,
/// if the run writes any.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>The <see cref="NonFiniteQuantity"/> of a run stopped because the gradients' norm was not finite.</summary>
    internal const string GradientNorm = "the gradient norm";

    /// <summary>Creates the exception for a pre-training run, whose last good checkpoint a new run can start from.</summary>
    public TrainingDivergedException(long step, string lossName, double value, string? lastGoodCheckpoint)
        : this(
            string.Create(CultureInfo.InvariantCulture, $"Training diverged at step {step}: {lossName} is {value}. ") +
            (lastGoodCheckpoint is null
                ? "No checkpoint was written yet; lower the learning rate or λ weights and start again."
                : $"The last good checkpoint is '{lastGoodCheckpoint}'; a resume repeats its settings, so go on from its weights as a new run " +
                  "with a lower learning rate or λ weights (BertPretrainingOptions.InitialModel, or tcd pretrain / distill --init <that folder>)."),
            step, epoch: null, lossName, value, lastGoodCheckpoint)
    {
    }

    private TrainingDivergedException(string message, long step, int? epoch, string lossName, double value, string? lastGoodCheckpoint)
        : base(message)
    {
        Step = step;
        Epoch = epoch;
        NonFiniteQuantity = lossName;
        NonFiniteValue = value;
        LastGoodCheckpoint = lastGoodCheckpoint;
    }

    /// <summary>The exception for a fine-tuning run without checkpoints: see <see cref="InFineTuning(int, long, string, double, string?)"/>.</summary>
    /// <param name="epoch">The 1-based epoch of the step.</param>
    /// <param name="step">The 1-based step (counted over all epochs) whose loss was not finite.</param>
    /// <param name="lossName">The loss, e.g. "the cross-entropy loss".</param>
    /// <param name="value">Its value (NaN or infinite).</param>
    public static TrainingDivergedException InFineTuning(int epoch, long step, string lossName, double value) =>
        InFineTuning(epoch, step, lossName, value, lastGoodCheckpoint: null);

    /// <summary>
    /// The exception for a fine-tuning run. Its advice is to start again with a lower learning rate: a checkpoint holds
    /// its run's settings, so resuming one would repeat the divergence.
    /// </summary>
    /// <param name="epoch">The 1-based epoch of the step.</param>
    /// <param name="step">The 1-based step (counted over all epochs) whose loss or weights were not finite.</param>
    /// <param name="quantity">What was not finite, e.g. "the cross-entropy loss" or "parameter bert.…".</param>
    /// <param name="value">Its value (NaN or infinite).</param>
    /// <param name="lastGoodCheckpoint">The run's newest checkpoint, or null when it writes none or has written none yet.</param>
    public static TrainingDivergedException InFineTuning(int epoch, long step, string quantity, double value, string? lastGoodCheckpoint) => new(
        string.Create(CultureInfo.InvariantCulture, $"Fine-tuning diverged at step {step} (epoch {epoch}): {quantity} is {value}. ") +
        "Start again from the pre-trained model with a lower " +
        "FineTuningOptions.LearningRate" +
        (lastGoodCheckpoint is null
            ? "."
            : $" (Resume set to false, or another CheckpointDirectory: the last good checkpoint, '{lastGoodCheckpoint}', holds this run's settings)."),
        step, epoch, quantity, value, lastGoodCheckpoint);

    /// <summary>The 1-based step whose loss (or, before a save, whose weights) was not finite.</summary>
    public long Step { get; }

    /// <summary>
    /// The 1-based epoch of <see cref="Step"/> in a fine-tuning run; null in pre-training, whose exception names the step
    /// only (its progress reports and metrics rows give the epoch, also from 1).
    /// </summary>
    public int? Epoch { get; }

    /// <summary>What was not finite: a loss term ("loss 'mlm'"), "the gradient norm" or a parameter ("parameter bert.…").</summary>
    public string NonFiniteQuantity { get; }

    /// <summary>The value of <see cref="NonFiniteQuantity"/>: NaN or an infinity.</summary>
    public double NonFiniteValue { get; }

    /// <summary>The newest checkpoint written before the divergence, if any.</summary>
    public string? LastGoodCheckpoint { get; }
}
