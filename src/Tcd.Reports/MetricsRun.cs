namespace Tcd.Reports;

/// <summary>All metric series of one training run, in the order the metrics first appear in its file.</summary>
public sealed class MetricsRun
{
    private readonly Dictionary<string, MetricsSeries> seriesByName;

    /// <summary>Creates a run from its series.</summary>
    /// <param name="source">Where the numbers came from (a file path or a label), used in error messages.</param>
    /// <param name="series">The series; names must be unique.</param>
    /// <exception cref="ArgumentException">Two series share a name.</exception>
    public MetricsRun(string source, IEnumerable<MetricsSeries> series)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(series);
        Source = source;
        var ordered = series.ToList();
        seriesByName = new Dictionary<string, MetricsSeries>(StringComparer.Ordinal);
        foreach (var item in ordered)
        {
            if (!seriesByName.TryAdd(item.Name, item))
            {
                throw new ArgumentException($"Run '{source}' has two series named '{item.Name}'; metric names must be unique.", nameof(series));
            }
        }

        MetricNames = ordered.Select(item => item.Name).ToArray();
    }

    /// <summary>Where the numbers came from (a file path or a label).</summary>
    public string Source { get; }

    /// <summary>Metric names (never <c>step</c>), in order of first appearance.</summary>
    public IReadOnlyList<string> MetricNames { get; }

    /// <summary>The series of one metric.</summary>
    /// <exception cref="KeyNotFoundException">The run has no such metric; the message lists those it has.</exception>
    public MetricsSeries this[string metric] =>
        TryGetSeries(metric, out var series)
            ? series
            : throw new KeyNotFoundException(MissingMetricMessage(metric));

    /// <summary>Looks up the series of one metric.</summary>
    public bool TryGetSeries(string metric, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MetricsSeries? series) =>
        seriesByName.TryGetValue(metric, out series);

    /// <summary>Names the run (by its legend label too, when a chart gave it one) and lists the metrics it does have.</summary>
    public string MissingMetricMessage(string metric, string? label = null) =>
        $"Run '{label ?? Source}'{(label is null ? string.Empty : $" ({Source})")} has no metric '{metric}'. " +
        (MetricNames.Count == 0
            ? "It has no values yet: the file is empty, or the trainer has not logged a step to it."
            : $"It has: {string.Join(", ", MetricNames)}.");
}
