namespace Tcd.Reports.Tests;

public sealed class LossCurveChartTests
{
    /// <summary>Category10's first colour (#1F77B4), which the first curve is drawn in.</summary>
    private static readonly (byte Red, byte Green, byte Blue) FirstCurveColour = (0x1F, 0x77, 0xB4);

    /// <summary>Category10's second colour (#FF7F0E), which the second curve is drawn in.</summary>
    private static readonly (byte Red, byte Green, byte Blue) SecondCurveColour = (0xFF, 0x7F, 0x0E);

    private static MetricsRun Run(string source, double scale)
    {
        var steps = Enumerable.Range(1, 50).Select(step => step * 10.0).ToArray();
        MetricsSeries Series(string name, Func<int, double> value) => new(name, steps, steps.Select((_, index) => value(index)).ToArray());
        return new MetricsRun(source,
        [
            Series("mlm", index => (scale * 8 * Math.Exp(-index / 15.0)) + 2 + (0.2 * Math.Sin(index))),
            Series("load_balance", index => 0.01 + (0.001 * Math.Cos(index))),
            Series("trunk", index => 0.5 * Math.Exp(-index / 10.0)),
            Series("inner", index => 0.3 * Math.Exp(-index / 20.0)),
        ]);
    }

    [Fact]
    public void SeveralRunsOfOneMetricWriteAPngOfTheRequestedSize()
    {
        using var folder = new TempFolder();
        var path = folder.File("new", "sub", "mlm.png");

        LossCurveChart.Write(path, new Dictionary<string, MetricsRun> { ["MoE"] = Run("moe", 1), ["TCD"] = Run("tcd", 0.8) }, "mlm",
            new LossCurveOptions { Width = 640, Height = 400, SmoothingWindow = 5, Title = "MLM loss" });

        PngAssert.IsPng(path, 640, 400);
    }

    [Fact]
    public void LogScaleAndMetricsFilesWork()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("a.jsonl"), "{\"step\":1,\"mlm\":9}\n{\"step\":2,\"mlm\":4}\n{\"step\":3,\"mlm\":0}\n{\"step\":4,\"mlm\":1.5}\n");
        File.WriteAllText(folder.File("b.csv"), "step,mlm\n1,8\n2,5\n3,2\n");
        var path = folder.File("log.png");

        LossCurveChart.WriteFromFiles(path, new Dictionary<string, string> { ["a"] = folder.File("a.jsonl"), ["b"] = folder.File("b.csv") }, "mlm",
            new LossCurveOptions { LogScale = true, Width = 500, Height = 300 });

        PngAssert.IsPng(path, 500, 300);
    }

    [Fact]
    public void PanelsWriteOneGridImage()
    {
        using var folder = new TempFolder();
        var path = folder.File("panels.png");

        LossCurveChart.WritePanels(path, Run("tcd", 1), ["mlm", "load_balance", "trunk", "inner"], new LossCurveOptions { Width = 1000, Height = 700, Title = "TCD" });

        PngAssert.IsPng(path, 1000, 700);
    }

    [Fact]
    public void ASinglePointCurveIsDrawnAsAMarker()
    {
        using var folder = new TempFolder();
        var path = folder.File("one-point.png");

        // No legend label, so the legend (which would carry the colour too) is not drawn.
        LossCurveChart.Write(path, new Dictionary<string, MetricsSeries> { [""] = new("val_log_likelihood", [20], [-4.2]) },
            new LossCurveOptions { Width = 300, Height = 200 });

        PngAssert.PixelsOfColour(path, FirstCurveColour).Should().BeGreaterThan(10, "the lone point is drawn in the first palette colour");
    }

    [Fact]
    public void AMissingMetricNamesTheRunOnce()
    {
        using var folder = new TempFolder();
        var missingMetric = () => LossCurveChart.Write(folder.File("x.png"), new Dictionary<string, MetricsRun> { ["teacher"] = Run("runs/teacher.jsonl", 1) }, "distill");

        var message = missingMetric.Should().Throw<ArgumentException>().Which.Message;

        message.Should().StartWith("Run 'teacher' (runs/teacher.jsonl) has no metric 'distill'. It has: mlm, load_balance, trunk, inner.");
    }

    [Fact]
    public void BadInputsGiveArgumentExceptions()
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.png");

        var noRuns = () => LossCurveChart.Write(path, new Dictionary<string, MetricsSeries>());
        noRuns.Should().Throw<ArgumentException>().WithMessage("*at least one curve*");

        var missingMetric = () => LossCurveChart.Write(path, new Dictionary<string, MetricsRun> { ["MoE"] = Run("moe", 1) }, "distill");
        missingMetric.Should().Throw<ArgumentException>().WithMessage("*'MoE'*no metric 'distill'*");

        var emptySeries = () => LossCurveChart.Write(path, new Dictionary<string, MetricsSeries> { ["x"] = new("mlm", [], []) });
        emptySeries.Should().Throw<ArgumentException>().WithMessage("*no points*");

        var noMetrics = () => LossCurveChart.WritePanels(path, Run("r", 1), []);
        noMetrics.Should().Throw<ArgumentException>().WithMessage("*at least one metric*");

        var tooSmall = () => LossCurveChart.Write(path, new Dictionary<string, MetricsSeries> { ["x"] = Run("r", 1)["mlm"] }, new LossCurveOptions { Width = 10 });
        tooSmall.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*width*");

        File.Exists(path).Should().BeFalse("nothing is written when the input is rejected");
    }

    [Fact]
    public void AConstantSmallValueIsDrawnOnAnAxisAroundItNotAroundZero()
    {
        // A constant learning rate of 1e-4 used to sit on the "0" tick of a −1…1 axis.
        using var plot = LossCurveChart.Draw([KeyValuePair.Create("", Constant("lr", 1e-4, 50))], new LossCurveOptions());

        var limits = plot.Axes.GetLimits();
        limits.Bottom.Should().BeApproximately(0.9e-4, 1e-12);
        limits.Top.Should().BeApproximately(1.1e-4, 1e-12);
        plot.Axes.Left.Label.Text.Should().Be("lr (×1e-4)", "the ticks count in units of 1e-4 instead of reading 9E-05, 0.0001");
    }

    [Fact]
    public void TickLabelsOfALinearAxisAreScaledAndHaveNoExponentNotation()
    {
        var steps = Enumerable.Range(1, 100).Select(step => (double)step).ToArray();
        var lr = new MetricsSeries("lr", steps, steps.Select(step => 1e-4 * Math.Min(1, step / 10)).ToArray());
        using var plot = LossCurveChart.Draw([KeyValuePair.Create("", lr)], new LossCurveOptions());

        plot.GetImageBytes(600, 400, ScottPlot.ImageFormat.Png);

        var labels = plot.Axes.Left.TickGenerator.Ticks.Where(tick => tick.IsMajor).Select(tick => tick.Label).ToList();
        labels.Should().Contain(["0.5", "1"]).And.NotContain(label => label.Contains('E') || label.Contains('e'));
    }

    [Fact]
    public void ASparseCurveIsNotSmoothed()
    {
        // A run chart smoothed for its loss also smoothed the dev score of 4 epochs into values it never had.
        var devScore = new MetricsSeries("val_score", [50, 100, 150, 200], [49.1, 50.9, 50.9, 50.9]);
        using var plot = LossCurveChart.Draw([KeyValuePair.Create("", devScore)], new LossCurveOptions { SmoothingWindow = 5 });

        var lines = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        lines.Should().ContainSingle("no faint raw line is needed beside an unsmoothed curve");
        lines[0].Data.GetScatterPoints().Select(point => point.Y).Should().Equal(devScore.Values);
    }

    [Fact]
    public void ManyRunsGetOneShortLegendEntryEachAndAnotherPatternOnceColoursRepeat()
    {
        var curves = Enumerable.Range(0, 12)
            .Select(index => KeyValuePair.Create($"runs/ablation-lambda-balance-{index}-trunk-1.0-inner-0.5-seed-{index}", Constant("mlm", 3 + index, 50)))
            .ToList();

        using var plot = LossCurveChart.Draw(curves, new LossCurveOptions { SmoothingWindow = 5 });

        var lines = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        var labelled = lines.Where(line => !string.IsNullOrEmpty(line.LegendText)).ToList();
        labelled.Should().HaveCount(12, "the faint raw lines share their run's colour and need no entry of their own");
        labelled.Should().OnlyContain(line => line.LegendText.Length <= 40);
        labelled[10].LegendText.Should().Be("runs/ablation-lambda…0-inner-0.5-seed-10", "the end, where such names differ, is kept");
        labelled[10].Color.Should().Be(labelled[0].Color);
        labelled[10].LinePattern.Should().NotBe(labelled[0].LinePattern);
        plot.Axes.Left.Label.Text.Should().Be("mlm, moving average of 5 points (faint: raw)");
    }

    [Theory]
    [InlineData(60, 10)] // smoothed, with faint raw lines, as the XPERT sample's loss-curves.png
    [InlineData(5, 1)] // a sparse curve with markers
    public void TwoRunsThatEndLevelBothShow(int points, int smoothingWindow)
    {
        // The XPERT sample's XPERT and scratch runs end level at toy scale: the scratch curve hid the XPERT one.
        var steps = Enumerable.Range(1, points).Select(step => (double)step).ToArray();
        var loss = new MetricsSeries("mlm", steps, steps.Select(step => 10 - Math.Sqrt(step)).ToArray());
        using var plot = LossCurveChart.Draw([KeyValuePair.Create("XPERT init", loss), KeyValuePair.Create("scratch", loss)], new LossCurveOptions { SmoothingWindow = smoothingWindow });
        plot.HideLegend();
        using var folder = new TempFolder();
        var path = folder.File("level.png");
        File.WriteAllBytes(path, plot.GetImageBytes(900, 540, ScottPlot.ImageFormat.Png));

        PngAssert.PixelsOfColour(path, FirstCurveColour).Should().BeGreaterThan(100, "the first run's line shows beside and through the second's, drawn over it");
        PngAssert.PixelsOfColour(path, SecondCurveColour).Should().BeGreaterThan(100);
    }

    [Fact]
    public void EachRunHasItsOwnPatternAndMarkerAndALaterRunIsNoWiderThanAnEarlierOne()
    {
        var curves = Enumerable.Range(0, 4).Select(index => KeyValuePair.Create($"run {index}", Constant("val_score", 50, 4))).ToList();

        using var plot = LossCurveChart.Draw(curves, new LossCurveOptions());

        var lines = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        lines.Select(line => line.LegendText).Should().Equal("run 0", "run 1", "run 2", "run 3");
        lines.Select(line => line.LinePattern).Should().OnlyHaveUniqueItems();
        lines.Select(line => line.MarkerShape).Should().OnlyHaveUniqueItems();
        lines.Select(line => line.LineWidth).Should().BeInDescendingOrder("the line drawn on top is the thinnest, so those below show beside it");
        lines.Select(line => line.MarkerSize).Should().BeInDescendingOrder().And.OnlyContain(size => size > 0);
    }

    [Fact]
    public void FaintRawLinesAreDrawnBehindEveryRunsCurve()
    {
        var curves = Enumerable.Range(0, 2).Select(index => KeyValuePair.Create($"run {index}", Constant("mlm", 3 + index, 50))).ToList();

        using var plot = LossCurveChart.Draw(curves, new LossCurveOptions { SmoothingWindow = 5 });

        var lines = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Select(line => line.LegendText).ToList();
        lines.Should().Equal(string.Empty, string.Empty, "run 0", "run 1");
    }

    [Theory]
    [InlineData("load_balance", 2.5e-5, 1.5e-5, 0.3e-5)] // "load_balance (×1e-5)" beside ticks 2.6 … 4.2
    [InlineData("load_balance", 2.5e-5, 0.001e-5, 0.0002e-5)] // the same title beside ticks 2.5002 … 2.5012
    [InlineData("tokens_per_s", 123_456, 30, 3)] // an unscaled title beside ticks 123,455 … 123,485
    public void TheYAxisTitleKeepsClearOfTheWidestTickLabels(string metric, double floor, double decay, double noise)
    {
        var random = new Random(2);
        var steps = Enumerable.Range(1, 300).Select(step => (double)step).ToArray();
        var values = steps.Select(step => floor + (decay * Math.Exp(-step / 80)) + (noise * random.NextDouble())).ToArray();
        using var plot = LossCurveChart.Draw([KeyValuePair.Create("", new MetricsSeries(metric, steps, values))], new LossCurveOptions());

        // Its parentheses and underscore reached within 3 px of the tick labels, which read as touching.
        WhiteColumnsBetweenYAxisTitleAndTickLabels(plot, 450, 300).Should().BeGreaterThanOrEqualTo(6);
    }

    /// <summary>
    /// Renders <paramref name="plot"/> (a panel of the grid <see cref="LossCurveChart.WritePanels"/> draws is about
    /// 450 × 300) with its y tick labels in red, and counts the columns free of ink between the y-axis title and them.
    /// </summary>
    private static int WhiteColumnsBetweenYAxisTitleAndTickLabels(ScottPlot.Plot plot, int width, int height)
    {
        plot.Axes.Left.TickLabelStyle.ForeColor = ScottPlot.Colors.Red;
        using var image = SkiaSharp.SKBitmap.Decode(plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png));
        var dataArea = plot.LastRender.DataRect;
        var rows = Enumerable.Range((int)dataArea.Top, (int)dataArea.Height).ToList();
        bool Inked(int column, Func<SkiaSharp.SKColor, bool> ink) => rows.Any(row => ink(image.GetPixel(column, row)));
        static bool Red(SkiaSharp.SKColor pixel) => pixel.Red - pixel.Green > 60;
        static bool Dark(SkiaSharp.SKColor pixel) => pixel.Red + pixel.Green + pixel.Blue < 600 && !Red(pixel);

        var tickLabels = Enumerable.Range(0, (int)dataArea.Left).First(column => Inked(column, Red));
        var title = Enumerable.Range(0, tickLabels).Last(column => Inked(column, Dark));
        return tickLabels - title - 1;
    }

    private static MetricsSeries Constant(string name, double value, int count) =>
        new(name, Enumerable.Range(1, count).Select(step => (double)step).ToArray(), Enumerable.Repeat(value, count).ToArray());
}
