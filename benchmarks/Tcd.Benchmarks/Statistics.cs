namespace Tcd.Benchmarks;

/// <summary>Robust summaries of repeated timings: a shared machine makes means meaningless, medians are not.</summary>
internal static class Statistics
{
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("No measurements to summarise.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Half the distance between the 25th and 75th percentiles, relative to the median (spread of the runs).</summary>
    public static double RelativeSpread(IReadOnlyCollection<double> values)
    {
        var median = Median(values);
        return median == 0 ? 0 : (Percentile(values, 0.75) - Percentile(values, 0.25)) / 2 / median;
    }

    /// <summary>The value at quantile <paramref name="q"/> (0–1) of <paramref name="values"/>, nearest rank.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }

    /// <summary>The least-squares slope of <paramref name="y"/> over <paramref name="x"/> (0 for fewer than two distinct x).</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"{x.Count} x values against {y.Count} y values.", nameof(y));
        }

        var meanX = x.Average();
        var meanY = y.Average();
        var spread = x.Sum(value => (value - meanX) * (value - meanX));
        return spread == 0 ? 0 : x.Zip(y).Sum(point => (point.First - meanX) * (point.Second - meanY)) / spread;
    }

    /// <summary>The median of <paramref name="counts"/>, or null where any is missing (not Linux) or there are none.</summary>
    public static double? MedianPageFaults(IReadOnlyCollection<long?> counts) =>
        counts.Count > 0 && counts.All(count => count is not null) ? Median(counts.Select(count => (double)count!.Value).ToList()) : null;
}
