namespace Tcd.Reports;

/// <summary>Appearance of a <see cref="LossCurveChart"/>.</summary>
public sealed class LossCurveOptions
{
    /// <summary>Chart title (for panels, prefixed to each panel's metric name; empty leaves just the metric). Default "Training curves".</summary>
    public string Title { get; set; } = "Training curves";

    /// <summary>X-axis label. Default "Step".</summary>
    public string XLabel { get; set; } = "Step";

    /// <summary>Y-axis label; null uses the metric name. Default null.</summary>
    public string? YLabel { get; set; }

    /// <summary>Image width in pixels. Default 900.</summary>
    public int Width { get; set; } = 900;

    /// <summary>Image height in pixels. Default 540.</summary>
    public int Height { get; set; } = 540;

    /// <summary>
    /// Points in the trailing moving average drawn as the main curve; 1 draws the raw values. Curves of at most 20
    /// points (validation metrics, one per evaluation) are drawn unsmoothed: their average would show values that never
    /// occurred. Default 1.
    /// </summary>
    public int SmoothingWindow { get; set; } = 1;

    /// <summary>
    /// When smoothing, also draw the raw values as a faint line behind the smoothed one. With one curve the legend labels
    /// the two lines "(raw)" and "(moving average of N points)"; with several it names each run once and the y-axis title
    /// says "moving average of N points (faint: raw)". Default true.
    /// </summary>
    public bool ShowRaw { get; set; } = true;

    /// <summary>
    /// Logarithmic y axis; points with values ≤ 0 cannot be drawn there and are left out, and a panel of
    /// <see cref="LossCurveChart.WritePanels"/> whose metric has none above zero keeps a linear axis. Default false.
    /// </summary>
    public bool LogScale { get; set; }

    /// <summary>Panels per row in <see cref="LossCurveChart.WritePanels"/>. Default 2.</summary>
    public int PanelColumns { get; set; } = 2;

    /// <summary>A copy of these options with a linear y axis.</summary>
    internal LossCurveOptions WithLinearScale()
    {
        var copy = (LossCurveOptions)MemberwiseClone();
        copy.LogScale = false;
        return copy;
    }
}
