using System.Globalization;

namespace Tcd.Reports;

/// <summary>
/// Tick labels a reader takes in at a glance: plain numbers ("0.0005", "12,500") where they stay short, and a compact
/// power of ten ("1e-6", "3e19") where they would not, instead of .NET's "1E-06" or a 26-digit integer.
/// </summary>
internal static class TickLabels
{
    /// <summary>Smallest and largest magnitude written as a plain number.</summary>
    private const double SmallestPlain = 1e-4;
    private const double LargestPlain = 1e6;

    /// <summary>Below this magnitude a linear axis is labelled in multiples of a power of ten (0.0005 keeps its zeros, 0.00005 does not).</summary>
    private const double SmallestUnscaledAxis = 1e-3;

    /// <summary>Formats one tick value.</summary>
    public static string Format(double value)
    {
        var magnitude = Math.Abs(value);
        if (magnitude == 0 || (magnitude >= SmallestPlain && magnitude < LargestPlain))
        {
            // Six decimals absorb the floating-point noise of tick positions (0.30000000000000004).
            return Math.Round(value, 6).ToString("#,0.######", CultureInfo.InvariantCulture);
        }

        var exponent = (int)Math.Floor(Math.Log10(magnitude));
        var mantissa = Math.Round(value / Math.Pow(10, exponent), 3);
        return string.Create(CultureInfo.InvariantCulture, $"{mantissa:0.###}e{exponent}");
    }

    /// <summary>
    /// The power of ten a linear axis reaching <paramref name="largestMagnitude"/> is labelled in, so that its ticks read
    /// 0, 2, 4 and the axis title says "(×1e-5)"; null when plain numbers are short enough.
    /// </summary>
    public static int? ScaleExponent(double largestMagnitude) =>
        largestMagnitude is > 0 and (< SmallestUnscaledAxis or >= LargestPlain) && double.IsFinite(largestMagnitude)
            ? (int)Math.Floor(Math.Log10(largestMagnitude))
            : null;

    /// <summary>An axis title that says its ticks are in multiples of 10^<paramref name="exponent"/>.</summary>
    public static string ScaledTitle(string title, int exponent) =>
        string.Create(CultureInfo.InvariantCulture, $"{title} (×1e{exponent})");
}
