using System.Globalization;
using Tcd.Models.Xpert;

namespace Tcd.Models.Tests.Xpert;

public sealed class TuckerOptionsTests
{
    [Theory]
    [InlineData(-0.5, 4.0, "TuckerOptions.Tolerance is -0.5;")]
    [InlineData(1e-4, -2.5, "TuckerOptions.GramSwitchRatio is -2.5;")]
    public void An_invalid_option_is_named_with_its_value_written_the_same_in_every_culture(double tolerance, double gramSwitchRatio, string expected)
    {
        var options = new TuckerOptions { Tolerance = tolerance, GramSwitchRatio = gramSwitchRatio };
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage($"{expected}*");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
