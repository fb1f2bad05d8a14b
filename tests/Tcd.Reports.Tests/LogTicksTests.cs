using System.Globalization;

namespace Tcd.Reports.Tests;

public sealed class LogTicksTests
{
    [Fact]
    public void OneDecadeGetsOneTwoFiveMajorsLabelledWithOriginalValues()
    {
        var ticks = LogTicks.For(2.1, 9.8);

        ticks.Where(tick => tick.IsMajor).Select(tick => tick.Label).Should().Equal("2", "5", "10");
        ticks.Where(tick => tick.IsMajor).Select(tick => tick.Position).Should().Equal([Math.Log10(2), Math.Log10(5), 1]);
        ticks.Count(tick => !tick.IsMajor).Should().Be(6, "3, 4, 6, 7, 8 and 9 are minor ticks");
    }

    [Fact]
    public void ManyDecadesKeepOnlyPowersOfTen()
    {
        var majors = LogTicks.For(1e-6, 10).Where(tick => tick.IsMajor).Select(tick => tick.Label);

        majors.Should().Equal("1e-6", "1e-5", "0.0001", "0.001", "0.01", "0.1", "1", "10");
    }

    [Fact]
    public void ADivergedRunOverTwentyDecadesGetsAtMostTwelveCompactLabels()
    {
        var majors = LogTicks.For(1.2, 3.6e19).Where(tick => tick.IsMajor).Select(tick => tick.Label).ToList();

        majors.Should().HaveCountLessThanOrEqualTo(12).And.Contain("1e19").And.NotContain(label => label.Contains('E'));
    }

    [Theory]
    [InlineData(10.13, 10.36, new[] { "10.15", "10.2", "10.25", "10.3", "10.35" })]
    [InlineData(10.2, 12.5, new[] { "10.5", "11", "11.5", "12", "12.5" })]
    [InlineData(1.0004, 1.0096, new[] { "1.002", "1.004", "1.006", "1.008" })]
    public void ARangeTooNarrowForTwoRoundValuesIsLabelledAtEvenlySpacedValues(double minimum, double maximum, string[] expected)
    {
        // An early MLM loss between 10.1 and 10.4 used to get the single label 10, below the curve and so not shown at all.
        var majors = LogTicks.For(minimum, maximum).Where(tick => tick.IsMajor).ToList();

        majors.Select(tick => tick.Label).Should().Equal(expected);
        majors.Select(tick => tick.Position).Should().Equal(expected.Select(label => Math.Log10(double.Parse(label, CultureInfo.InvariantCulture))));
    }
}
