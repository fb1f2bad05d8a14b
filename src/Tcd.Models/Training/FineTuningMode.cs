namespace Tcd.Models.Training;

/// <summary>How a pre-trained model is adapted to a downstream task.</summary>
public enum FineTuningMode
{
    /// <summary>Every parameter is trained (paper: lr ∈ {1e-5, 2e-5, 5e-5}).</summary>
    Full,

    /// <summary>
    /// Houlsby adapters are inserted and only adapters, LayerNorms and the task head are trained
    /// (paper: lr ∈ {1e-4, 2e-4, 3e-4}, adapter size ∈ {16, 64, 128}, or up to 256 for the large model).
    /// </summary>
    Adapters,
}
