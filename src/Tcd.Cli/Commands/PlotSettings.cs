namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd plot</c> was asked to do.</summary>
/// <param name="Runs">Each run's label and metrics file.</param>
/// <param name="Metrics">The metrics to draw: one per panel for a single run, exactly one when comparing runs.</param>
/// <param name="Smoothing">Points in the trailing moving average (1: raw values).</param>
/// <param name="LogScale">A logarithmic y axis.</param>
/// <param name="Title">The chart title, or null for one naming the metric.</param>
/// <param name="Output">The PNG file written.</param>
internal sealed record PlotSettings(
    IReadOnlyList<KeyValuePair<string, string>> Runs, IReadOnlyList<string> Metrics, int Smoothing, bool LogScale, string? Title, string Output);
