namespace Tcd.Reports.Tests;

public sealed class ScoreBarChartTests
{
    private static readonly string[] Tasks = ["MRPC", "RTE", "Avg."];

    [Fact]
    public void GroupedBarsWithErrorBarsWriteAPngOfTheRequestedSize()
    {
        using var folder = new TempFolder();
        var path = folder.File("charts", "glue.png");

        ScoreBarChart.Write(path, Tasks,
        [
            new ScoreSeries("Teacher", [86.1, 68.2, 77.2], [0.5, 1.2, 0.7]),
            new ScoreSeries("MoE", [84.0, double.NaN, 75.0]),
            new ScoreSeries("TCD", [85.7, 67.9, 76.8], [0.4, double.NaN, 0.6]),
        ], new ScoreBarChartOptions { Width = 800, Height = 450 });

        PngAssert.IsPng(path, 800, 450);
    }

    [Fact]
    public void BadInputsGiveArgumentExceptions()
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.png");

        var noSeries = () => ScoreBarChart.Write(path, Tasks, []);
        noSeries.Should().Throw<ArgumentException>().WithMessage("*at least one series*");

        var noCategories = () => ScoreBarChart.Write(path, [], [new ScoreSeries("MoE", [])]);
        noCategories.Should().Throw<ArgumentException>().WithMessage("*at least one category*");

        var mismatched = () => ScoreBarChart.Write(path, Tasks, [new ScoreSeries("MoE", [1, 2])]);
        mismatched.Should().Throw<ArgumentException>().WithMessage("*'MoE' has 2 values but there are 3 categories*");

        var errorsMismatched = () => new ScoreSeries("TCD", [1, 2, 3], [0.1]);
        errorsMismatched.Should().Throw<ArgumentException>().WithMessage("*3 values but 1 errors*");

        var negativeError = () => new ScoreSeries("TCD", [1], [-0.1]);
        negativeError.Should().Throw<ArgumentException>().WithMessage("*negative*");

        File.Exists(path).Should().BeFalse();
    }
}
