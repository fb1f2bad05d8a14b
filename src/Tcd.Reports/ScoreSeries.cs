namespace Tcd.Reports;

/// <summary>
/// One model's scores across the categories of a <see cref="ScoreBarChart"/>, with optional error bars and marks on the
/// scores that are a constant answer's.
/// </summary>
public sealed class ScoreSeries
{
    /// <summary>Creates a series.</summary>
    /// <param name="name">Legend label, e.g. "TCD".</param>
    /// <param name="values">One score per category; <see cref="double.NaN"/> marks a missing score (no bar).</param>
    /// <param name="errors">Optional error-bar half-heights (e.g. std over seeds), one per category, ≥ 0 or NaN for none.</param>
    /// <param name="oneAnswer">
    /// Optional, one per category: whether every dev prediction behind the score was one answer (one class, or one
    /// STS-B score), so that it is a constant answer's score, not a model's; the chart hatches such bars.
    /// </param>
    /// <exception cref="ArgumentException">The lists differ in length, a value is infinite, or an error is negative.</exception>
    public ScoreSeries(string name, IReadOnlyList<double> values, IReadOnlyList<double>? errors = null, IReadOnlyList<bool>? oneAnswer = null)
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

        if (oneAnswer is not null && oneAnswer.Count != values.Count)
        {
            throw new ArgumentException($"Series '{name}' has {values.Count} values but {oneAnswer.Count} one-answer marks; pass one mark per value.", nameof(oneAnswer));
        }

        Name = name;
        Values = values.ToArray();
        Errors = errors?.ToArray();
        OneAnswer = oneAnswer?.ToArray();
    }

    /// <summary>Legend label.</summary>
    public string Name { get; }

    /// <summary>One score per category; NaN = missing.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>Error-bar half-heights, one per category, or null for no error bars.</summary>
    public IReadOnlyList<double>? Errors { get; }

    /// <summary>Per category, whether the score is that of one answer given to every dev example; null marks none.</summary>
    public IReadOnlyList<bool>? OneAnswer { get; }
}
