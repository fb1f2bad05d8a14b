using System.Globalization;
using System.Runtime.CompilerServices;

namespace Tcd.Models.Training;

/// <summary>Range checks of the options classes that .NET's <see cref="ArgumentOutOfRangeException"/> helpers lack.</summary>
internal static class OptionChecks
{
    /// <summary>Refuses NaN and ±Infinity, which the sign checks let through or refuse with a misleading message.</summary>
    public static void RequireFinite(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number, not {value}."));
        }
    }

    /// <summary>Requires <c>0 ≤ value &lt; 1</c>, as AdamW's β coefficients.</summary>
    public static void RequireFraction(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be at least 0 and less than 1, not {value}."));
        }
    }
}
