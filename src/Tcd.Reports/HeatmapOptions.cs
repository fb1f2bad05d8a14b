namespace Tcd.Reports;

/// <summary>Appearance of a <see cref="Heatmap"/>.</summary>
public sealed class HeatmapOptions
{
    /// <summary>Chart title, e.g. "Layer 3". Default "Expert activation".</summary>
    public string Title { get; set; } = "Expert activation";

    /// <summary>X-axis label (columns). Default "Expert".</summary>
    public string XLabel { get; set; } = "Expert";

    /// <summary>Y-axis label (rows). Default "Domain".</summary>
    public string YLabel { get; set; } = "Domain";

    /// <summary>Label beside the colour bar. Default "Activation frequency".</summary>
    public string ColorBarLabel { get; set; } = "Activation frequency";

    /// <summary>Image width in pixels. Default 900.</summary>
    public int Width { get; set; } = 900;

    /// <summary>Image height in pixels. Default 500.</summary>
    public int Height { get; set; } = 500;

    /// <summary>Write each cell's value inside it (readable up to roughly 20 × 20 cells). Default false.</summary>
    public bool ShowValues { get; set; }

    /// <summary>Decimals of cell values when <see cref="ShowValues"/> is on (0–6). Default 2.</summary>
    public int ValueDecimals { get; set; } = 2;

    /// <summary>Fixed colour range (minimum, maximum) so heatmaps of several layers share one scale; null uses each map's own range (±10 % around the value when every cell is equal). Default null.</summary>
    public (double Minimum, double Maximum)? ColorRange { get; set; }
}
