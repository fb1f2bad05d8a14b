namespace Tcd.Models.Xpert;

/// <summary>The common experts chosen in one MoE layer, best score first.</summary>
/// <param name="Layer">0-based layer index.</param>
/// <param name="Experts">The chosen experts, by descending score (ties: lower index first); may be empty.</param>
public sealed record LayerExpertSelection(int Layer, IReadOnlyList<SelectedExpert> Experts)
{
    /// <summary>The chosen experts' indices, in <see cref="Experts"/> order.</summary>
    public int[] Indices => Experts.Select(expert => expert.Expert).ToArray();

    /// <summary>
    /// Combination weights of the chosen experts: their <see cref="SelectedExpert.MeanFrequency"/> normalised to sum 1,
    /// in <see cref="Experts"/> order.
    /// </summary>
    public double[] Weights
    {
        get
        {
            var total = Experts.Sum(expert => expert.MeanFrequency);
            return Experts.Select(expert => expert.MeanFrequency / total).ToArray();
        }
    }
}
