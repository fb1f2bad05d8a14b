using ScottPlot;
using ScottPlot.AxisPanels;

namespace Tcd.Reports;

/// <summary>
/// The title of a chart's y axis, kept clear of the tick labels. ScottPlot reserves room for the rotated title by its
/// line height, but the descenders of "_", "(" and ")" (as in "load_balance (×1e-5)") reach past it: beside tick labels
/// of the widest width, 3 px of white were left between the two, which read as touching.
/// </summary>
internal static class YAxisTitle
{
    /// <summary>
    /// ScottPlot's padding between the tick labels and the title of the left axis (5 px on each side), widened by 6 px
    /// (9 px or more then lie between the title's descenders and the widest tick label).
    /// </summary>
    private static readonly PixelPadding TickLabelClearance = new(left: 5, right: 11, bottom: 3, top: 3);

    /// <summary>Titles the left axis of <paramref name="plot"/> <paramref name="title"/>.</summary>
    public static void Set(Plot plot, string title)
    {
        plot.YLabel(title);
        ((AxisBase)plot.Axes.Left).PaddingBetweenTickAndAxisLabels = TickLabelClearance;
    }
}
