namespace Tcd.Reports;

/// <summary>
/// The range to show for values that are all equal (a constant learning rate, an expert every domain uses alike):
/// charting libraries widen a zero-width range by ±1 whatever the value, which puts 1e-4 on the "0" tick.
/// </summary>
internal static class FlatRange
{
    /// <summary>Share of the value shown above and below it.</summary>
    private const double Padding = 0.1;

    /// <summary>Whether <paramref name="low"/> and <paramref name="high"/> are too close to tell apart.</summary>
    public static bool IsFlat(double low, double high) => high - low <= 1e-9 * Math.Max(Math.Abs(low), Math.Abs(high));

    /// <summary>A range around <paramref name="value"/>, ±10 % of it (±1 around 0).</summary>
    public static (double Low, double High) Around(double value)
    {
        var padding = value == 0 ? 1 : Padding * Math.Abs(value);
        return (value - padding, value + padding);
    }
}
