namespace Tcd.Models.Modeling;

/// <summary>Host-side summary of one MoE layer's routing in one batch (see <see cref="MoeRouting.ToStatistics"/>).</summary>
/// <param name="TokenShare">Fraction of the real tokens routed to each expert; sums to 1 (all 0 for an empty batch).</param>
/// <param name="MaxOverMean">Load of the busiest expert over the mean load; 1 is perfectly balanced.</param>
/// <param name="DroppedFraction">Fraction of the real tokens dropped by the capacity limit.</param>
/// <param name="RouterEntropy">Mean router entropy over real tokens, in nats (ln E for a uniform router).</param>
public sealed record MoeLayerStatistics(double[] TokenShare, double MaxOverMean, double DroppedFraction, double RouterEntropy);
