using Tcd.Models.Modeling;
using Tcd.Models.Training;

namespace Tcd.Cli.Tests;

public sealed class ExpertLoadChartTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_load_is_each_experts_mean_share_over_the_last_tenth_of_the_run_relative_to_an_even_share()
    {
        var chart = new ExpertLoadChart();

        // Before the last tenth of the 20 steps: the load the model had, not the one it ends with.
        chart.Add(Report(step: 17, [[1, 0, 0, 0], [1, 0, 0, 0]]));
        chart.Add(Report(step: 18, [[0.5, 0.5, 0, 0], [0.25, 0.25, 0.25, 0.25]]));
        chart.Add(Report(step: 20, [[0.25, 0.25, 0.5, 0], [0.25, 0.25, 0.25, 0.25]]));
        // Sent while the held-out set is scored: it repeats the last batch's load and must not count twice.
        chart.Add(Report(step: 20, [[1, 0, 0, 0], [1, 0, 0, 0]]) with { ValidationSegmentsScored = 3 });

        var load = chart.RelativeLoad()!;
        load.GetLength(0).Should().Be(2);
        load.GetLength(1).Should().Be(4);
        Row(load, 0).Should().Equal([1.5, 1.5, 1.0, 0.0]);
        Row(load, 1).Should().Equal([1.0, 1.0, 1.0, 1.0]);
        var path = temp.File("expert-load.png");
        chart.TryWrite(path).Should().BeTrue();
        new FileInfo(path).Length.Should().BeGreaterThan(1000);
    }

    [Fact]
    public void A_vanilla_run_reports_no_load_and_gets_no_chart()
    {
        var chart = new ExpertLoadChart();
        chart.Add(Report(step: 1, []));

        chart.RelativeLoad().Should().BeNull();
        chart.TryWrite(temp.File("expert-load.png")).Should().BeFalse();
        File.Exists(temp.File("expert-load.png")).Should().BeFalse();
    }

    private static double[] Row(double[,] load, int layer) => Enumerable.Range(0, load.GetLength(1)).Select(expert => load[layer, expert]).ToArray();

    private static PretrainingProgress Report(long step, double[][] shares) => new(
        step, TotalSteps: 20, Epoch: 0, new Dictionary<string, double> { ["loss"] = 1 }, LearningRate: 1e-4, TokensPerSecond: 1000,
        TimeSpan.Zero, TimeSpan.Zero, shares.Select(layer => new MoeLayerStatistics(layer, layer.Max() * layer.Length, 0, 1)).ToList(), ValidationLogLikelihood: null);
}
