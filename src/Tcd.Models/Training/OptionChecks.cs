using System.Globalization;

namespace Tcd.Models.Training;

/// <summary>The range check of real-valued options that .NET's <see cref="ArgumentOutOfRangeException"/> helpers lack.</summary>
internal static class OptionChecks
{
    /// <summary>
    /// Throws naming <paramref name="name"/> unless <paramref name="value"/> is finite and <paramref name="inRange"/>:
    /// NaN fails no sign check and infinity passes every "above" or "at least" one.
    /// </summary>
    /// <param name="value">The option's value.</param>
    /// <param name="name">The option's name.</param>
    /// <param name="expected">What it must be, completing "it must be …", e.g. "a finite number above 0, e.g. 1e-4".</param>
    /// <param name="inRange">The range test for a finite value.</param>
    public static void RequireFiniteInRange(double value, string name, string expected, Func<double, bool> inRange)
    {
        if (!double.IsFinite(value) || !inRange(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value.ToString(CultureInfo.InvariantCulture)}; it must be {expected}.");
        }
    }
}
