namespace Tcd.Models.Xpert;

/// <summary>
/// One progress report of <see cref="XpertDecomposer"/>: a layer's decomposition starts with its HOSVD
/// (<see cref="Sweep"/> null), or it finished a HOOI sweep.
/// </summary>
/// <param name="Layer">0-based source layer being decomposed.</param>
/// <param name="LayerCount">Number of layers to decompose.</param>
/// <param name="Sweep">The HOOI sweep just finished; null when the layer starts.</param>
public sealed record XpertDecompositionProgress(int Layer, int LayerCount, TuckerProgress? Sweep)
{
    /// <summary>
    /// How far the decomposition of all layers is, 0..1, counting each layer's sweeps against their budget
    /// (HOOI often converges sooner, and then the next layer starts).
    /// </summary>
    public double Fraction => (Layer + (Sweep is { } sweep ? (double)sweep.Iteration / sweep.MaxIterations : 0)) / LayerCount;

    /// <summary>
    /// A one-line summary for logs and consoles, e.g. <c>Tucker layer 0 (1/12): HOSVD</c> or
    /// <c>Tucker layer 0 (1/12): HOOI sweep 3/100: relative error 0.123457, change 1.2E-05</c>: the layer by the
    /// 0-based index its heat map file, metrics and result lines carry, then its place among the layers to decompose.
    /// </summary>
    public override string ToString() => FormattableString.Invariant($"Tucker layer {Layer} ({Layer + 1}/{LayerCount}): {Sweep?.ToString() ?? "HOSVD"}");
}
