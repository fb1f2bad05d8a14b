using ScottPlot;

namespace Tcd.Reports;

/// <summary>
/// Puts a chart's legend in the corner its lines cross least: a falling loss leaves the upper right empty, a rising
/// validation score the lower right, and a legend fixed in one corner covered the latter's best values.
/// </summary>
internal static class LegendPlacement
{
    /// <summary>The share of each axis's data range a corner's legend is taken to cover.</summary>
    private const double CornerShare = 0.4;

    /// <summary>Corners in order of preference when two hold as few points: the usual upper right first.</summary>
    private static readonly Alignment[] Corners = [Alignment.UpperRight, Alignment.LowerRight, Alignment.UpperLeft, Alignment.LowerLeft];

    /// <summary>Points added between two of a line's points, so a line that crosses a corner between them counts there.</summary>
    private const int PointsBetween = 7;

    /// <summary>Shows the plot's legend in the corner its lines cross least.</summary>
    public static void ShowInEmptiestCorner(Plot plot) =>
        plot.ShowLegend(EmptiestCorner(plot.GetPlottables<ScottPlot.Plottables.Scatter>().SelectMany(line => AlongLine(line.Data.GetScatterPoints()))));

    private static IEnumerable<Coordinates> AlongLine(IReadOnlyList<Coordinates> points)
    {
        for (var i = 0; i < points.Count; i++)
        {
            yield return points[i];
            if (i + 1 < points.Count)
            {
                for (var k = 1; k <= PointsBetween; k++)
                {
                    var t = (double)k / (PointsBetween + 1);
                    yield return new Coordinates(points[i].X + (t * (points[i + 1].X - points[i].X)), points[i].Y + (t * (points[i + 1].Y - points[i].Y)));
                }
            }
        }
    }

    /// <summary>The corner of the points' bounding box that holds the fewest of them; the upper right when they tie.</summary>
    internal static Alignment EmptiestCorner(IEnumerable<Coordinates> points)
    {
        var all = points.ToList();
        if (all.Count == 0)
        {
            return Corners[0];
        }

        var (minX, maxX) = (all.Min(point => point.X), all.Max(point => point.X));
        var (minY, maxY) = (all.Min(point => point.Y), all.Max(point => point.Y));
        bool Right(Coordinates point) => point.X >= maxX - (CornerShare * (maxX - minX));
        bool Left(Coordinates point) => point.X <= minX + (CornerShare * (maxX - minX));
        bool Upper(Coordinates point) => point.Y >= maxY - (CornerShare * (maxY - minY));
        bool Lower(Coordinates point) => point.Y <= minY + (CornerShare * (maxY - minY));
        int Covered(Alignment corner) => all.Count(point => corner switch
        {
            Alignment.UpperRight => Upper(point) && Right(point),
            Alignment.LowerRight => Lower(point) && Right(point),
            Alignment.UpperLeft => Upper(point) && Left(point),
            _ => Lower(point) && Left(point),
        });

        // MinBy keeps the first of equals, so ties go to the preferred corner.
        return Corners.MinBy(Covered);
    }
}
