using System.Globalization;
using Tcd.Models.Training;

namespace Tcd.Experiments.Glue;

/// <summary>One point of the fine-tuning grid: the mode, the peak learning rate and (for adapters) the adapter size.</summary>
/// <param name="Mode">Full fine-tuning or adapters.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="AdapterSize">Adapter bottleneck size; 0 for full fine-tuning.</param>
public sealed record GlueConfiguration(FineTuningMode Mode, double LearningRate, int AdapterSize)
{
    /// <summary>A short description, e.g. <c>full lr=2e-05</c> or <c>adapters lr=0.0003 size=64</c>.</summary>
    public override string ToString()
    {
        var rate = LearningRate.ToString("G3", CultureInfo.InvariantCulture).ToLowerInvariant();
        return Mode == FineTuningMode.Full
            ? $"full lr={rate}"
            : string.Create(CultureInfo.InvariantCulture, $"adapters lr={rate} size={AdapterSize}");
    }
}
