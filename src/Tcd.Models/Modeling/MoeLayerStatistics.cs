using Tcd.Models.Runtime;

namespace Tcd.Models.Modeling;

/// <summary>Host-side summary of one MoE layer's routing in one batch (see <see cref="MoeRouting.ToStatistics"/>).</summary>
/// <remarks>
/// Two summaries are equal when their members are, <see cref="TokenShare"/> element by element: a record compares array
/// members by reference, which would make two summaries of the same routing unequal.
/// </remarks>
/// <param name="TokenShare">Fraction of the real tokens routed to each expert; sums to 1 (all 0 for an empty batch).</param>
/// <param name="MaxOverMean">Load of the busiest expert over the mean load; 1 is perfectly balanced.</param>
/// <param name="DroppedFraction">Fraction of the real tokens dropped by the capacity limit.</param>
/// <param name="RouterEntropy">Mean router entropy over real tokens, in nats (ln E for a uniform router).</param>
public sealed record MoeLayerStatistics(double[] TokenShare, double MaxOverMean, double DroppedFraction, double RouterEntropy)
{
    /// <summary>True when <paramref name="other"/> has the same token shares (element by element) and figures.</summary>
    /// <param name="other">The summary to compare with; null is equal to no summary.</param>
    public bool Equals(MoeLayerStatistics? other) =>
        other is not null && ArrayValues.Equal(TokenShare, other.TokenShare) && MaxOverMean.Equals(other.MaxOverMean)
        && DroppedFraction.Equals(other.DroppedFraction) && RouterEntropy.Equals(other.RouterEntropy);

    /// <summary>A hash of the members, the token shares' elements included, so that equal summaries hash alike.</summary>
    public override int GetHashCode() => HashCode.Combine(ArrayValues.Hash(TokenShare), MaxOverMean, DroppedFraction, RouterEntropy);
}
