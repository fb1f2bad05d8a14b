namespace Tcd.Reports.Tests;

public sealed class TickLabelsTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(0.30000000000000004, "0.3")]
    [InlineData(0.0005, "0.0005")]
    [InlineData(12500, "12,500")]
    [InlineData(-7.25, "-7.25")]
    [InlineData(0.00005, "5e-5")]
    [InlineData(2.5e-7, "2.5e-7")]
    [InlineData(1e6, "1e6")]
    [InlineData(3.6e19, "3.6e19")]
    public void NumbersArePlainWhereShortAndACompactPowerOfTenWhereNot(double value, string expected) =>
        TickLabels.Format(value).Should().Be(expected);

    [Theory]
    [InlineData(9.5e-5, -5)]
    [InlineData(3.6e19, 19)]
    [InlineData(2e6, 6)]
    public void AxesOfTinyOrHugeValuesAreLabelledInAPowerOfTen(double largestMagnitude, int exponent) =>
        TickLabels.ScaleExponent(largestMagnitude).Should().Be(exponent);

    [Theory]
    [InlineData(0)]
    [InlineData(0.002)]
    [InlineData(128_000)]
    public void AxesOfOrdinaryValuesKeepPlainNumbers(double largestMagnitude) =>
        TickLabels.ScaleExponent(largestMagnitude).Should().BeNull();
}
