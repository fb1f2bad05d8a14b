using ScottPlot;

namespace Tcd.Reports;

/// <summary>
/// Ticks for a y axis whose data are plotted as log10(value): majors at round values (1, 2, 5 × 10^k, or only 10^k
/// over many decades) labelled with the original numbers, minors at every 1–9 × 10^k. A range too narrow to hold two
/// of those round values (a loss between 10.1 and 10.4) is labelled at evenly spaced values instead, as a linear axis
/// would be: over so short a stretch the log scale is nearly linear, and a lone label (or none) cannot be read.
/// </summary>
internal static class LogTicks
{
    private const int MaximumMajorTicks = 12;

    /// <summary>Share of the data's span (in decades) ScottPlot's auto-scaling adds below and above it.</summary>
    private const double AutoScaleMargin = 0.1;

    /// <summary>About how many labels a narrow range gets.</summary>
    private const int NarrowRangeTicks = 5;

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
        while (majors.Length > MaximumMajorTicks)
        {
            // Only powers of ten, then every second, fourth, ... one, so a diverged run's 20 decades stay legible.
            majors = majors.Length == majors.Count(value => Mantissa(value) == 1)
                ? majors.Where((_, index) => index % 2 == 0).ToArray()
                : majors.Where(value => Mantissa(value) == 1).ToArray();
        }

        var margin = AutoScaleMargin * Math.Log10(maximum / minimum);
        bool Visible(double value) => Math.Log10(value) >= Math.Log10(minimum) - margin && Math.Log10(value) <= Math.Log10(maximum) + margin;
        if (majors.Count(Visible) < 2 && maximum > minimum)
        {
            var evenlySpaced = EvenlySpaced(minimum, maximum);
            return evenlySpaced.Select(Major)
                .Concat(inRange.Where(value => !evenlySpaced.Contains(value)).Select(value => Tick.Minor(Math.Log10(value))))
                .ToArray();
        }

        if (majors.Length < 2)
        {
            majors = inRange;
        }

        return inRange.Select(value => majors.Contains(value) ? Major(value) : Tick.Minor(Math.Log10(value))).ToArray();
    }

    private static Tick Major(double value) => Tick.Major(Math.Log10(value), TickLabels.Format(value));

    /// <summary>Multiples of a 1, 2 or 5 × 10^k step between the bounds, about <see cref="NarrowRangeTicks"/> of them.</summary>
    private static double[] EvenlySpaced(double minimum, double maximum)
    {
        var roughStep = (maximum - minimum) / NarrowRangeTicks;
        var power = Math.Pow(10, Math.Floor(Math.Log10(roughStep)));
        var step = RoundMantissas.Append(10).Select(mantissa => mantissa * power).First(candidate => candidate >= roughStep);
        var first = (long)Math.Ceiling(minimum / step);
        var last = (long)Math.Floor(maximum / step);

        // Rounding to the step's own decimals keeps 10.15 from becoming 10.149999999999999.
        var decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step)), 0, 15);
        return Enumerable.Range(0, (int)(last - first + 1)).Select(index => Math.Round((first + index) * step, decimals)).ToArray();
    }

    private static int Mantissa(double value) => (int)Math.Round(value / Math.Pow(10, Math.Floor(Math.Log10(value) + 1e-9)));
}
