namespace Tcd.Models.Training;

/// <summary>
/// Learning rate that rises linearly from 0 to the peak over the warm-up steps, then falls linearly to 0 at
/// the last step — the schedule of BERT pre-training and of the TCD paper (warm-up 10,000 steps in pre-training,
/// a warm-up ratio of 0.06 in fine-tuning).
/// </summary>
public sealed class LinearWarmupDecaySchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="peakLearningRate">The rate reached at the end of warm-up.</param>
    /// <param name="warmupSteps">Steps of linear warm-up (0 starts at the peak).</param>
    /// <param name="totalSteps">Steps of the whole run; the rate reaches 0 here.</param>
    public LinearWarmupDecaySchedule(double peakLearningRate, long warmupSteps, long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(peakLearningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        if (warmupSteps > totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"Warm-up ({warmupSteps} steps) is longer than the run ({totalSteps} steps).");
        }

        PeakLearningRate = peakLearningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
    }

    /// <summary>The rate at the end of warm-up.</summary>
    public double PeakLearningRate { get; }

    /// <summary>Steps of linear warm-up.</summary>
    public long WarmupSteps { get; }

    /// <summary>Steps of the whole run.</summary>
    public long TotalSteps { get; }

    /// <summary>Creates a schedule whose warm-up is a fraction of the run (e.g. 0.06 for GLUE fine-tuning).</summary>
    public static LinearWarmupDecaySchedule WithWarmupRatio(double peakLearningRate, double warmupRatio, long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupRatio);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(warmupRatio, 1.0);
        return new LinearWarmupDecaySchedule(peakLearningRate, (long)Math.Round(warmupRatio * totalSteps), totalSteps);
    }

    /// <summary>The rate for the optimizer update of 0-based step <paramref name="step"/>.</summary>
    public double LearningRateAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return PeakLearningRate * (step + 1) / WarmupSteps;
        }

        var decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        var remaining = Math.Max(0, TotalSteps - step);
        return PeakLearningRate * remaining / decaySteps;
    }
}
