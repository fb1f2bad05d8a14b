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

        majors.Should().Equal("1E-06", "1E-05", "0.0001", "0.001", "0.01", "0.1", "1", "10");
    }
}
