namespace Tcd.Reports;

/// <summary>One model's scores across the categories of a <see cref="ScoreBarChart"/>, with optional error bars.</summary>
public sealed class ScoreSeries
{
    /// <summary>Creates a series.</summary>
    /// <param name="name">Legend label, e.g. "TCD".</param>
    /// <param name="values">One score per category; <see cref="double.NaN"/> marks a missing score (no bar).</param>
    /// <param name="errors">Optional error-bar half-heights (e.g. std over seeds), one per category, ≥ 0 or NaN for none.</param>
    /// <exception cref="ArgumentException">The lists differ in length, a value is infinite, or an error is negative.</exception>
    public ScoreSeries(string name, IReadOnlyList<double> values, IReadOnlyList<double>? errors = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Any(double.IsInfinity))
        {
            throw new ArgumentException($"Series '{name}' has an infinite score; use NaN for a missing one.", nameof(values));
        }

        if (errors is not null)
        {
            if (errors.Count != values.Count)
            {
                throw new ArgumentException($"Series '{name}' has {values.Count} values but {errors.Count} errors; pass one error per value.", nameof(errors));
            }

            if (errors.Any(error => error < 0 || double.IsInfinity(error)))
            {
                throw new ArgumentException($"Series '{name}' has a negative or infinite error; errors are half-heights ≥ 0 (NaN for none).", nameof(errors));
            }
        }

        Name = name;
        Values = values.ToArray();
        Errors = errors?.ToArray();
    }

    /// <summary>Legend label.</summary>
    public string Name { get; }

    /// <summary>One score per category; NaN = missing.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>Error-bar half-heights, one per category, or null for no error bars.</summary>
    public IReadOnlyList<double>? Errors { get; }
}
