namespace Tcd.Models.Losses;

/// <summary>
/// The masked-token log-likelihood of one or more batches: the sum of <c>log p(label)</c> over the scored
/// (non-ignored) positions and how many there were. Add results of many batches with <c>+</c> and read
/// <see cref="Mean"/> at the end (the TCD paper reports this mean, a negative number such as −2.33).
/// </summary>
public readonly struct MaskedTokenLogLikelihood : IEquatable<MaskedTokenLogLikelihood>
{
    /// <summary>Creates a result from a log-likelihood sum and the number of tokens it covers.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public MaskedTokenLogLikelihood(double sum, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Sum = sum;
        Count = count;
    }

    /// <summary>Sum of natural-log probabilities of the labels (≤ 0).</summary>
    public double Sum { get; }

    /// <summary>Number of scored tokens.</summary>
    public long Count { get; }

    /// <summary>Mean log-likelihood per scored token; <see cref="double.NaN"/> when no token was scored.</summary>
    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>Combines the results of two sets of batches.</summary>
    public static MaskedTokenLogLikelihood operator +(MaskedTokenLogLikelihood left, MaskedTokenLogLikelihood right) =>
        new(left.Sum + right.Sum, left.Count + right.Count);

    /// <summary>True when both results hold the same sum and count.</summary>
    public static bool operator ==(MaskedTokenLogLikelihood left, MaskedTokenLogLikelihood right) => left.Equals(right);

    /// <summary>True when the results differ in sum or count.</summary>
    public static bool operator !=(MaskedTokenLogLikelihood left, MaskedTokenLogLikelihood right) => !left.Equals(right);

    /// <summary>Combines this result with <paramref name="other"/> (same as <c>+</c>).</summary>
    public MaskedTokenLogLikelihood Add(MaskedTokenLogLikelihood other) => this + other;

    /// <inheritdoc />
    public bool Equals(MaskedTokenLogLikelihood other) => Sum.Equals(other.Sum) && Count == other.Count;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MaskedTokenLogLikelihood other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Sum, Count);

    /// <inheritdoc />
    public override string ToString() => $"mean log-likelihood {Mean:F4} over {Count} tokens";
}
