namespace Tcd.Reports;

/// <summary>One number of a <see cref="ResultsTable"/>: a mean, optionally with its standard deviation over seeds.</summary>
public readonly struct ResultCell : IEquatable<ResultCell>
{
    /// <summary>Creates a cell.</summary>
    /// <param name="mean">The score or value; must be finite.</param>
    /// <param name="std">Standard deviation (≥ 0), or null when there is only one run.</param>
    /// <exception cref="ArgumentOutOfRangeException">The mean is not finite or the std is negative or not finite.</exception>
    public ResultCell(double mean, double? std = null)
    {
        if (!double.IsFinite(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "A result must be a finite number; leave the cell unset for a missing result.");
        }

        if (std is { } deviation && (!double.IsFinite(deviation) || deviation < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(std), std, "A standard deviation must be finite and ≥ 0, or null.");
        }

        Mean = mean;
        Std = std;
    }

    /// <summary>The score or value.</summary>
    public double Mean { get; }

    /// <summary>Standard deviation over seeds, or null.</summary>
    public double? Std { get; }

    /// <inheritdoc />
    public bool Equals(ResultCell other) => Mean.Equals(other.Mean) && Nullable.Equals(Std, other.Std);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ResultCell other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Mean, Std);

    /// <summary>Whether two cells hold the same numbers.</summary>
    public static bool operator ==(ResultCell left, ResultCell right) => left.Equals(right);

    /// <summary>Whether two cells hold different numbers.</summary>
    public static bool operator !=(ResultCell left, ResultCell right) => !left.Equals(right);
}
