namespace Tcd.Experiments.Glue;

/// <summary>A mean over seeds and its sample standard deviation (0 for a single seed).</summary>
/// <param name="Mean">Mean score, in percent.</param>
/// <param name="Std">Sample standard deviation (n − 1 in the denominator); 0 when there is one value.</param>
/// <param name="Count">Number of values (seeds).</param>
public sealed record ScoreSummary(double Mean, double Std, int Count)
{
    /// <summary>Summarises <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static ScoreSummary Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A score summary needs at least one value.", nameof(values));
        }

        var mean = list.Average();
        var std = list.Count == 1 ? 0 : Math.Sqrt(list.Sum(value => (value - mean) * (value - mean)) / (list.Count - 1));
        return new ScoreSummary(mean, std, list.Count);
    }
}
