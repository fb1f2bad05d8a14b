namespace Tcd.Models.Evaluation;

/// <summary>
/// The official metrics of one GLUE result column (a task, or MNLI-m / MNLI-mm), in percent (×100) as in GLUE
/// tables: accuracy 0.853 is reported as 85.3, a Matthews correlation of 0.52 as 52.
/// </summary>
/// <param name="Column">Column name in a results table, e.g. <c>"RTE"</c>, <c>"MNLI-m"</c>.</param>
/// <param name="Metrics">Each official metric of the task, in percent.</param>
/// <param name="Score">
/// The column's single score: the mean of <paramref name="Metrics"/> (GLUE averages multi-metric tasks first), in percent.
/// </param>
public sealed record GlueTaskResult(string Column, IReadOnlyDictionary<GlueMetric, double> Metrics, double Score)
{
    /// <summary>A one-line summary: the column, its score and each metric, e.g. <c>MRPC 85.30 (Accuracy 82.50, F1 88.10)</c>.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"{Column} {Score:F2} ({string.Join(", ", Metrics.Select(metric => FormattableString.Invariant($"{metric.Key} {metric.Value:F2}")))})");
}
