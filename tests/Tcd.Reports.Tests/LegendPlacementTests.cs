using ScottPlot;

namespace Tcd.Reports.Tests;

public sealed class LegendPlacementTests
{
    private static Alignment CornerFor(params double[][] lines)
    {
        using var plot = new Plot();
        foreach (var values in lines)
        {
            plot.Add.ScatterLine(Enumerable.Range(0, values.Length).Select(i => (double)i).ToArray(), values);
        }

        LegendPlacement.ShowInEmptiestCorner(plot);
        return plot.Legend.Alignment;
    }

    [Fact]
    public void A_falling_loss_gets_its_legend_in_the_upper_right()
    {
        CornerFor([9, 6, 4, 3, 2.5, 2.2, 2.1, 2.0]).Should().Be(Alignment.UpperRight);
    }

    [Fact]
    public void A_rising_score_gets_its_legend_in_the_lower_right_where_it_does_not_cover_the_best_epochs()
    {
        CornerFor([0.5, 0.7, 0.78, 0.8, 0.81], [0.45, 0.65, 0.76, 0.79, 0.8]).Should().Be(Alignment.LowerRight);
    }

    [Fact]
    public void A_line_that_crosses_a_corner_between_two_points_counts_there()
    {
        // No point lies in the upper right, but the segment from (1, 10) to (2, 5) passes through it.
        CornerFor([0, 10, 5]).Should().Be(Alignment.LowerRight);
    }

    [Fact]
    public void Ties_keep_the_usual_upper_right()
    {
        LegendPlacement.EmptiestCorner([]).Should().Be(Alignment.UpperRight);
        LegendPlacement.EmptiestCorner([new Coordinates(0, 0)]).Should().Be(Alignment.UpperRight);
    }
}
