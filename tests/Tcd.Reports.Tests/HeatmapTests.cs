namespace Tcd.Reports.Tests;

public sealed class HeatmapTests
{
    private static readonly string[] Domains = ["wiki", "news", "code"];
    private static readonly string[] Experts = ["E0", "E1", "E2", "E3"];

    private static double[,] Activations() => new double[,]
    {
        { 0.40, 0.30, 0.20, 0.10 },
        { 0.10, 0.50, 0.30, 0.10 },
        { 0.05, 0.05, 0.10, 0.80 },
    };

    [Fact]
    public void HeatmapWritesAPngOfTheRequestedSize()
    {
        using var folder = new TempFolder();
        var path = folder.File("xpert", "layer-3.png");

        Heatmap.Write(path, Activations(), Domains, Experts, new HeatmapOptions { Title = "Layer 3", Width = 700, Height = 420, ShowValues = true, ColorRange = (0, 1) });

        PngAssert.IsPng(path, 700, 420);
    }

    [Fact]
    public void BadInputsGiveArgumentExceptions()
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.png");

        var empty = () => Heatmap.Write(path, new double[0, 4], [], Experts);
        empty.Should().Throw<ArgumentException>().WithMessage("*at least one row and one column*");

        var rows = () => Heatmap.Write(path, Activations(), ["wiki", "news"], Experts);
        rows.Should().Throw<ArgumentException>().WithMessage("*3 rows but 2 row labels*");

        var columns = () => Heatmap.Write(path, Activations(), Domains, ["E0"]);
        columns.Should().Throw<ArgumentException>().WithMessage("*4 columns but 1 column labels*");

        var range = () => Heatmap.Write(path, Activations(), Domains, Experts, new HeatmapOptions { ColorRange = (1, 0) });
        range.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ColorRange*");

        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void ManyExpertsAreLabelledAtEveryFewthColumnSoLabelsDoNotOverlap()
    {
        var values = new double[3, 64];
        var experts = Enumerable.Range(0, 64).Select(expert => $"E{expert}").ToList();

        using var plot = Heatmap.Draw(values, ["wiki", "code", "news"], experts, new HeatmapOptions());
        plot.GetImageBytes(900, 500, ScottPlot.ImageFormat.Png);

        var labels = plot.Axes.Bottom.TickGenerator.Ticks.Select(tick => tick.Label).ToList();
        labels.Should().HaveCountLessThan(64).And.StartWith(["E0"]);
        var stride = int.Parse(labels[1][1..], System.Globalization.CultureInfo.InvariantCulture);
        labels.Should().Equal(experts.Where((_, expert) => expert % stride == 0), "every stride-th expert is labelled, evenly");
        plot.Axes.Left.TickGenerator.Ticks.Select(tick => tick.Label).Should().Equal(["wiki", "code", "news"], "three domains fit");
    }

    [Fact]
    public void AFewExpertsAreAllLabelled()
    {
        using var plot = Heatmap.Draw(Activations(), Domains, Experts, new HeatmapOptions());
        plot.GetImageBytes(900, 500, ScottPlot.ImageFormat.Png);

        plot.Axes.Bottom.TickGenerator.Ticks.Select(tick => tick.Label).Should().Equal(Experts);
    }

    [Fact]
    public void EqualValuesGetAColourRangeAroundThem()
    {
        // A zero-width range drew every cell in Viridis's darkest colour, under black value labels.
        var values = new double[,] { { 0.5, 0.5 }, { 0.5, double.NaN } };

        Heatmap.ColorRange(values, new HeatmapOptions()).Should().Be((0.45, 0.55));
        Heatmap.ColorRange(values, new HeatmapOptions { ColorRange = (0, 1) }).Should().Be((0.0, 1.0));
    }
}
