using Tcd.Models.Training;

namespace Tcd.MLNet.Estimators;

/// <summary>How a pre-trained model is adapted to a task: <see cref="Full"/> or <see cref="Adapters"/>.</summary>
/// <param name="Mode">Full fine-tuning or adapter tuning.</param>
/// <param name="AdapterSize">The adapter bottleneck size (0 for full fine-tuning).</param>
public sealed record FineTuning(FineTuningMode Mode, int AdapterSize)
{
    /// <summary>Every parameter is trained (paper: lr ∈ {1e-5, 2e-5, 5e-5}).</summary>
    public static FineTuning Full { get; } = new(FineTuningMode.Full, 0);

    /// <summary>
    /// Houlsby adapters of <paramref name="size"/> are inserted; only adapters, LayerNorms and the task head are trained
    /// (paper: size ∈ {16, 64, 128}, lr ∈ {1e-4, 2e-4, 3e-4}).
    /// </summary>
    /// <param name="size">Adapter bottleneck size. Default 64.</param>
    public static FineTuning Adapters(int size = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        return new FineTuning(FineTuningMode.Adapters, size);
    }
}
