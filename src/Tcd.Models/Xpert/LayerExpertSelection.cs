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

    /// <summary>
    /// Why fewer experts were chosen than <see cref="CommonExpertSelectionOptions.TopK"/> asked for (the layer has
    /// fewer experts, or fewer are active in every domain), e.g. <c>TopK is 10 but the layer has only 4 experts; all 4
    /// are kept</c>; null when all TopK were chosen, and always in <see cref="CommonExpertSelectionMode.Threshold"/> mode.
    /// </summary>
    public string? Warning { get; init; }

    /// <summary>
    /// One line for a log: the layer, each chosen expert with its score and mean frequency, and the
    /// <see cref="Warning"/> if any, e.g. <c>layer 1: E3 (score 0.412, mean freq 0.287), E0 (score 0.305, mean freq 0.251)</c>.
    /// </summary>
    public override string ToString()
    {
        var experts = Experts.Count == 0
            ? "no common expert"
            : string.Join(", ", Experts.Select(expert =>
                FormattableString.Invariant($"E{expert.Expert} (score {expert.Score:F3}, mean freq {expert.MeanFrequency:F3})")));
        return FormattableString.Invariant($"layer {Layer}: {experts}{(Warning is null ? string.Empty : $" (warning: {Warning})")}");
    }
}
