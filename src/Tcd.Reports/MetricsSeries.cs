namespace Tcd.Reports;

/// <summary>
/// One named training metric (for example <c>mlm</c> or <c>load_balance</c>) as values over training steps,
/// sorted by step with at most one value per step.
/// </summary>
public sealed class MetricsSeries
{
    private readonly double[] steps;
    private readonly double[] values;

    /// <summary>Creates a series from parallel step and value lists.</summary>
    /// <param name="name">Metric name shown in legends and axis labels.</param>
    /// <param name="steps">Training steps, strictly increasing.</param>
    /// <param name="values">One finite value per step.</param>
    /// <exception cref="ArgumentException">The lists differ in length, the steps do not increase, or a number is not finite.</exception>
    public MetricsSeries(string name, IReadOnlyList<double> steps, IReadOnlyList<double> values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(values);
        if (steps.Count != values.Count)
        {
            throw new ArgumentException(
                $"Series '{name}' has {steps.Count} steps but {values.Count} values; pass one value per step.", nameof(values));
        }

        for (var i = 0; i < steps.Count; i++)
        {
            if (!double.IsFinite(steps[i]) || !double.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"Series '{name}' has a non-finite number at index {i} (step {steps[i]}, value {values[i]}); drop such points first.", nameof(values));
            }

            if (i > 0 && steps[i] <= steps[i - 1])
            {
                throw new ArgumentException(
                    $"Series '{name}' has steps out of order at index {i} ({steps[i - 1]} then {steps[i]}); steps must strictly increase.", nameof(steps));
            }
        }

        Name = name;
        this.steps = steps.ToArray();
        this.values = values.ToArray();
    }

    /// <summary>Metric name.</summary>
    public string Name { get; }

    /// <summary>Training steps, strictly increasing.</summary>
    public IReadOnlyList<double> Steps => steps;

    /// <summary>The metric's value at each step.</summary>
    public IReadOnlyList<double> Values => values;

    /// <summary>Number of points.</summary>
    public int Count => steps.Length;

    /// <summary>
    /// Trailing moving average: each point becomes the mean of itself and up to <paramref name="window"/> − 1 points
    /// before it, so the curve never looks ahead and the first points average over fewer values.
    /// </summary>
    /// <param name="window">Points averaged; 1 returns an equal copy.</param>
    public MetricsSeries MovingAverage(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var smoothed = new double[values.Length];
        var runningSum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            runningSum += values[i];
            if (i >= window)
            {
                runningSum -= values[i - window];
            }

            smoothed[i] = runningSum / Math.Min(i + 1, window);
        }

        return new MetricsSeries(Name, steps, smoothed);
    }

    internal double[] StepArray() => (double[])steps.Clone();

    internal double[] ValueArray() => (double[])values.Clone();
}
