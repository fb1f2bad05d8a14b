using System.Globalization;
using ScottPlot;

namespace Tcd.Reports;

/// <summary>
/// PNG line charts of training metrics over steps: one metric for one or more runs (e.g. MoE against TCD), or a grid
/// of panels, one per metric, for one run.
/// </summary>
public static class LossCurveChart
{
    /// <summary>Alpha of the raw curve drawn behind a smoothed one.</summary>
    private const double RawCurveAlpha = 0.25;

    /// <summary>
    /// Curves with at most this many points (validation metrics often have one point per evaluation) get a marker on
    /// every point, since a line needs two points to show at all and a few dots read better than a few segments, and
    /// are never smoothed: a moving average of a handful of dev scores draws scores the model never had.
    /// </summary>
    private const int SparseCurveLimit = 20;

    /// <summary>Diameter of those markers per pixel of their line's width (7 pixels beside a line 2 pixels wide).</summary>
    private const float MarkerSizePerLineWidth = 3.5f;

    /// <summary>Legends with more entries than this go beside the chart: inside it they would cover the curves.</summary>
    private const int InsideLegendLimit = 6;

    /// <summary>
    /// Longest legend label kept whole; longer run names lose their middle, since ablation runs named by their settings
    /// differ at the end and one long name squeezes the chart beside the legend.
    /// </summary>
    private const int LegendLabelLength = 40;

    /// <summary>Plots one metric of several runs, each run read from its metrics file.</summary>
    /// <param name="path">PNG file to write; its folder is created if missing.</param>
    /// <param name="runFiles">Legend label → metrics file (<c>.jsonl</c> or <c>.csv</c>), in legend order.</param>
    /// <param name="metric">Metric to plot, e.g. <c>mlm</c>.</param>
    /// <param name="options">Appearance; null uses the defaults.</param>
    /// <exception cref="ArgumentException">No runs, or a run lacks the metric.</exception>
    /// <exception cref="MetricsFormatException">A metrics file cannot be read.</exception>
    public static void WriteFromFiles(string path, IEnumerable<KeyValuePair<string, string>> runFiles, string metric, LossCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runFiles);
        Write(path, runFiles.Select(run => new KeyValuePair<string, MetricsRun>(run.Key, MetricsReader.Read(run.Value))).ToList(), metric, options);
    }

    /// <summary>Plots one metric of several runs.</summary>
    /// <param name="path">PNG file to write; its folder is created if missing.</param>
    /// <param name="runs">Legend label → run, in legend order.</param>
    /// <param name="metric">Metric to plot, e.g. <c>mlm</c>.</param>
    /// <param name="options">Appearance; null uses the defaults.</param>
    /// <exception cref="ArgumentException">No runs, or a run lacks the metric.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, MetricsRun>> runs, string metric, LossCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        var curves = runs.Select(run => new KeyValuePair<string, MetricsSeries>(
            run.Key,
            run.Value.TryGetSeries(metric, out var series)
                ? series
                : throw new ArgumentException(run.Value.MissingMetricMessage(metric, run.Key), nameof(metric)))).ToList();
        Write(path, curves, options);
    }

    /// <summary>Plots several curves of the same metric on one chart.</summary>
    /// <param name="path">PNG file to write; its folder is created if missing.</param>
    /// <param name="curves">Legend label → series, in legend order.</param>
    /// <param name="options">Appearance; null uses the defaults.</param>
    /// <exception cref="ArgumentException">No curves, an empty series, or a bad option.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, MetricsSeries>> curves, LossCurveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(curves);
        options ??= new LossCurveOptions();
        var curveList = curves.ToList();
        if (curveList.Count == 0)
        {
            throw new ArgumentException("Pass at least one curve (label → series) to plot.", nameof(curves));
        }

        Validate(options);
        using var plot = Draw(curveList, options);
        PngRenderer.Save(plot, path, options.Width, options.Height);
    }

    /// <summary>The chart <see cref="Write(string, IEnumerable{KeyValuePair{string, MetricsSeries}}, LossCurveOptions?)"/> saves, for the caller to render and dispose.</summary>
    internal static Plot Draw(IReadOnlyList<KeyValuePair<string, MetricsSeries>> curves, LossCurveOptions options)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();

        // Beside several curves a raw line's legend entry only doubles the legend: it shares its smoothed line's colour.
        var rawCurvesInLegend = curves.Count == 1;
        var styles = curves.Count == 1
            ? [CurveStyle.Single(palette.GetColor(0))]
            : Enumerable.Range(0, curves.Count).Select(i => CurveStyle.OfRun(i, palette)).ToList();

        // Every faint raw line goes behind every main curve, so none of them veils another run's curve.
        for (var i = 0; i < curves.Count; i++)
        {
            AddRawCurve(plot, Shorten(curves[i].Key), curves[i].Value, styles[i], options, rawCurvesInLegend);
        }

        for (var i = 0; i < curves.Count; i++)
        {
            AddMainCurve(plot, Shorten(curves[i].Key), curves[i].Value, styles[i], options, rawCurvesInLegend);
        }

        var yLabel = options.YLabel ?? curves[0].Value.Name;
        if (!rawCurvesInLegend && curves.Any(curve => Smooths(curve.Value, options)))
        {
            yLabel += string.Create(CultureInfo.InvariantCulture, $", moving average of {options.SmoothingWindow} points{(options.ShowRaw ? " (faint: raw)" : string.Empty)}");
        }

        Decorate(plot, options.Title, options.XLabel, yLabel, options.LogScale, curves.Select(curve => curve.Value));
        var legendEntries = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Count(line => !string.IsNullOrEmpty(line.LegendText));
        if (legendEntries > InsideLegendLimit)
        {
            plot.ShowLegend(Edge.Right);
        }
        else if (curves.Count > 1 || curves[0].Key.Length > 0 || DrawsRawCurve(curves[0].Value, options))
        {
            LegendPlacement.ShowInEmptiestCorner(plot);
        }

        return plot;
    }

    /// <summary>Plots several metrics of one run as a grid of panels, one panel per metric.</summary>
    /// <param name="path">PNG file to write; its folder is created if missing.</param>
    /// <param name="run">The run.</param>
    /// <param name="metrics">Metrics to plot, one panel each, e.g. <c>mlm</c>, <c>load_balance</c>, <c>trunk</c>, <c>inner</c>.</param>
    /// <param name="options">Appearance; <see cref="LossCurveOptions.Width"/> and <see cref="LossCurveOptions.Height"/> size the whole grid.</param>
    /// <exception cref="ArgumentException">No metrics, or the run lacks one of them.</exception>
    public static void WritePanels(string path, MetricsRun run, IReadOnlyList<string> metrics, LossCurveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(metrics);
        options ??= new LossCurveOptions();
        if (metrics.Count == 0)
        {
            throw new ArgumentException("Pass at least one metric to plot.", nameof(metrics));
        }

        Validate(options);
        var series = metrics.Select(metric => run.TryGetSeries(metric, out var found)
            ? found
            : throw new ArgumentException(run.MissingMetricMessage(metric), nameof(metrics))).ToList();
        var columns = Math.Min(options.PanelColumns, series.Count);
        var rows = (series.Count + columns - 1) / columns;
        var multiplot = new Multiplot();
        multiplot.AddPlots(series.Count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        var palette = new ScottPlot.Palettes.Category10();
        try
        {
            for (var i = 0; i < series.Count; i++)
            {
                var panel = multiplot.GetPlot(i);
                // A panel of a metric with nothing above zero (a log-likelihood) keeps a linear axis; the others are logarithmic.
                var panelOptions = options.LogScale && !series[i].Values.Any(value => value > 0) ? options.WithLinearScale() : options;
                var style = CurveStyle.Single(palette.GetColor(i));
                AddRawCurve(panel, series[i].Name, series[i], style, panelOptions, rawCurveInLegend: true);
                AddMainCurve(panel, series[i].Name, series[i], style, panelOptions, rawCurveInLegend: true);
                var title = string.IsNullOrEmpty(options.Title) ? series[i].Name : $"{options.Title}: {series[i].Name}";
                Decorate(panel, title, options.XLabel, series[i].Name, panelOptions.LogScale, [series[i]]);

                // The panel title names the metric, so a legend is needed only to tell the raw curve from the smoothed one.
                if (DrawsRawCurve(series[i], options))
                {
                    LegendPlacement.ShowInEmptiestCorner(panel);
                }
                else
                {
                    panel.HideLegend();
                }
            }

            PngRenderer.Save(multiplot, path, options.Width, options.Height);
        }
        finally
        {
            foreach (var panel in multiplot.GetPlots())
            {
                panel.Dispose();
            }
        }
    }

    private static void Validate(LossCurveOptions options)
    {
        PngRenderer.ValidateSize(options.Width, options.Height);
        if (options.SmoothingWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SmoothingWindow, $"{nameof(LossCurveOptions.SmoothingWindow)} must be at least 1 (1 = no smoothing).");
        }

        if (options.PanelColumns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PanelColumns, $"{nameof(LossCurveOptions.PanelColumns)} must be at least 1.");
        }
    }

    private static bool Smooths(MetricsSeries series, LossCurveOptions options) => options.SmoothingWindow > 1 && series.Count > SparseCurveLimit;

    private static bool DrawsRawCurve(MetricsSeries series, LossCurveOptions options) => Smooths(series, options) && options.ShowRaw;

    private static string Shorten(string label) =>
        label.Length <= LegendLabelLength ? label : $"{label[..(LegendLabelLength / 2)]}…{label[^(LegendLabelLength / 2 - 1)..]}";

    /// <summary>The faint raw values behind a smoothed curve, when <paramref name="options"/> ask for them; a thin solid line whatever the curve's pattern, since dashes would break the noise up into specks.</summary>
    private static void AddRawCurve(Plot plot, string label, MetricsSeries series, CurveStyle style, LossCurveOptions options, bool rawCurveInLegend)
    {
        RequirePoints(label, series);
        if (!DrawsRawCurve(series, options))
        {
            return;
        }

        var raw = AddLine(plot, series, style.Color.WithAlpha(RawCurveAlpha), options.LogScale, label);
        raw.LegendText = rawCurveInLegend ? $"{NameOf(label, series)} (raw)" : string.Empty;
    }

    private static void AddMainCurve(Plot plot, string label, MetricsSeries series, CurveStyle style, LossCurveOptions options, bool rawCurveInLegend)
    {
        RequirePoints(label, series);

        // When smoothing, the legend names both lines, so a reader knows which one is the moving average.
        var smoothing = Smooths(series, options);
        var main = AddLine(plot, smoothing ? series.MovingAverage(options.SmoothingWindow) : series, style.Color, options.LogScale, label);
        main.LegendText = smoothing && rawCurveInLegend
            ? string.Create(CultureInfo.InvariantCulture, $"{NameOf(label, series)} (moving average of {options.SmoothingWindow} points)")
            : label;
        main.LinePattern = style.Pattern;
        main.LineWidth = style.Width;
        main.MarkerShape = style.Marker;
        main.MarkerSize = main.Data.GetScatterPoints().Count <= SparseCurveLimit ? MarkerSizePerLineWidth * style.Width : 0;
    }

    private static void RequirePoints(string label, MetricsSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
        {
            throw new ArgumentException($"Curve '{label}' ({series.Name}) has no points to plot.", nameof(series));
        }
    }

    private static string NameOf(string label, MetricsSeries series) => label.Length > 0 ? label : series.Name;

    private static ScottPlot.Plottables.Scatter AddLine(Plot plot, MetricsSeries series, Color color, bool logScale, string label)
    {
        var xs = series.StepArray();
        var ys = series.ValueArray();
        if (logScale)
        {
            var positive = Enumerable.Range(0, ys.Length).Where(i => ys[i] > 0).ToArray();
            if (positive.Length == 0)
            {
                throw new ArgumentException($"Curve '{label}' ({series.Name}) has no values above zero, so it cannot be drawn on a log scale; turn {nameof(LossCurveOptions.LogScale)} off.", nameof(series));
            }

            xs = positive.Select(i => xs[i]).ToArray();
            ys = positive.Select(i => Math.Log10(ys[i])).ToArray();
        }

        var line = plot.Add.ScatterLine(xs, ys, color);
        line.MarkerSize = 0;
        return line;
    }

    private static void Decorate(Plot plot, string title, string xLabel, string yLabel, bool logScale, IEnumerable<MetricsSeries> plotted)
    {
        plot.Title(title);
        plot.XLabel(xLabel);

        // Steps are whole numbers; a short run (or a single validation point) would otherwise get ticks like 19.2, 19.4.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (logScale)
        {
            YAxisTitle.Set(plot, $"{yLabel} (log scale)");
            var positive = plotted.SelectMany(series => series.Values).Where(value => value > 0).ToArray();
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(LogTicks.For(positive.Min(), positive.Max()));
            return;
        }

        var ys = plot.GetPlottables<ScottPlot.Plottables.Scatter>().SelectMany(line => line.Data.GetScatterPoints()).Select(point => point.Y).ToArray();
        var (low, high) = (ys.Min(), ys.Max());
        if (FlatRange.IsFlat(low, high))
        {
            (low, high) = FlatRange.Around(high);
            plot.Axes.AutoScale();
            plot.Axes.SetLimitsY(low, high);
        }

        if (TickLabels.ScaleExponent(Math.Max(Math.Abs(low), Math.Abs(high))) is { } exponent)
        {
            var unit = Math.Pow(10, exponent);
            YAxisTitle.Set(plot, TickLabels.ScaledTitle(yLabel, exponent));
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = value => TickLabels.Format(value / unit) };
        }
        else
        {
            YAxisTitle.Set(plot, yLabel);
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = TickLabels.Format };
        }
    }

    /// <summary>How one curve's main line is drawn.</summary>
    private readonly record struct CurveStyle(Color Color, LinePattern Pattern, float Width, MarkerShape Marker)
    {
        /// <summary>Line patterns of successive runs; with the palette's ten colours, no two of the first 20 runs look alike.</summary>
        private static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.DenselyDashed, LinePattern.Dotted];

        /// <summary>Marker shapes of successive runs' sparse curves, in step with <see cref="Patterns"/>.</summary>
        private static readonly MarkerShape[] Markers = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond];

        /// <summary>The width of the first run's line; each later run's is thinner, down to <see cref="ThinnestWidth"/>.</summary>
        private const float FirstWidth = 3;

        private const float WidthStep = 0.5f;

        private const float ThinnestWidth = 1.5f;

        /// <summary>
        /// The style of the <paramref name="index"/>th run of a chart of several. Runs that end level (XPERT against
        /// scratch at toy scale) draw one line over the other, so each run has its own pattern and marker, and a later
        /// run, drawn on top, has a thinner line and smaller markers: the earlier one shows beside it and through its gaps.
        /// </summary>
        public static CurveStyle OfRun(int index, ScottPlot.Palettes.Category10 palette) => new(
            palette.GetColor(index),
            Patterns[index % Patterns.Length],
            Math.Max(ThinnestWidth, FirstWidth - (WidthStep * index)),
            Markers[index % Markers.Length]);

        /// <summary>The style of a chart's only curve (a panel's).</summary>
        public static CurveStyle Single(Color color) => new(color, LinePattern.Solid, 2, MarkerShape.FilledCircle);
    }
}
