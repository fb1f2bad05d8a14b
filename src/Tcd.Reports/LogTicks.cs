using System.Globalization;
using ScottPlot;

namespace Tcd.Reports;

/// <summary>
/// Ticks for a y axis whose data are plotted as log10(value): majors at round values (1, 2, 5 × 10^k, or only 10^k
/// over many decades) labelled with the original numbers, minors at every 1–9 × 10^k.
/// </summary>
internal static class LogTicks
{
    private const int MaximumMajorTicks = 12;
    private static readonly int[] RoundMantissas = [1, 2, 5];

    public static Tick[] For(double minimum, double maximum)
    {
        var firstDecade = (int)Math.Floor(Math.Log10(minimum));
        var lastDecade = (int)Math.Ceiling(Math.Log10(maximum));
        var candidates = Enumerable.Range(firstDecade, lastDecade - firstDecade + 1)
            .SelectMany(decade => Enumerable.Range(1, 9).Select(mantissa => mantissa * Math.Pow(10, decade)))
            .ToArray();

        // Keep a small margin so a tick sitting just outside the data range still shows.
        var inRange = candidates.Where(value => value >= minimum / 1.1 && value <= maximum * 1.1).ToArray();
        if (inRange.Length == 0)
        {
            // A nearly constant curve between two round values: label its own level.
            inRange = [minimum];
        }

        var majors = inRange.Where(value => RoundMantissas.Contains(Mantissa(value))).ToArray();
        if (majors.Length > MaximumMajorTicks)
        {
            majors = majors.Where(value => Mantissa(value) == 1).ToArray();
        }

        if (majors.Length < 2)
        {
            majors = inRange;
        }

        return inRange
            .Select(value => majors.Contains(value)
                ? Tick.Major(Math.Log10(value), value.ToString("G4", CultureInfo.InvariantCulture))
                : Tick.Minor(Math.Log10(value)))
            .ToArray();
    }

    private static int Mantissa(double value) => (int)Math.Round(value / Math.Pow(10, Math.Floor(Math.Log10(value) + 1e-9)));
}
