using Tcd.Experiments.Glue;
using Tcd.Models.Training;

namespace Tcd.Experiments.Tests.Glue;

public sealed class GlueSelectorTests
{
    private static readonly GlueCellSettings Settings = new(10, 32, 0.06, 0.01, 128, null, null);

    private static GlueCellResult Cell(string model, string task, GlueConfiguration configuration, long seed, params (string Column, double Score)[] scores) =>
        new(
            new GlueCellKey(model, task, configuration, seed),
            Settings,
            scores.ToDictionary(s => s.Column, s => s.Score),
            scores.ToDictionary(s => s.Column, _ => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>()),
            1,
            [],
            [],
            100,
            1);

    private static IEnumerable<GlueCellResult> Seeds(string model, GlueConfiguration configuration, params double[] scores) =>
        scores.Select((score, seed) => Cell(model, "RTE", configuration, seed + 1, ("RTE", score)));

    private static readonly GlueConfiguration FullSlow = new(FineTuningMode.Full, 1e-5, 0);
    private static readonly GlueConfiguration FullFast = new(FineTuningMode.Full, 5e-5, 0);
    private static readonly GlueConfiguration Adapter64 = new(FineTuningMode.Adapters, 3e-4, 64);
    private static readonly GlueConfiguration Adapter16 = new(FineTuningMode.Adapters, 1e-4, 16);

    [Fact]
    public void PicksTheBestMeanOverSeeds_NotTheBestSingleSeed_AndTheBetterMode()
    {
        var cells = Seeds("m", FullSlow, 80, 70)
            .Concat(Seeds("m", FullFast, 90, 50))
            .Concat(Seeds("m", Adapter64, 76, 78))
            .Concat(Seeds("m", Adapter16, 60, 99 - 40));

        var selection = GlueSelector.Select(cells).Should().ContainSingle().Subject;

        selection.BestFull!.Configuration.Should().Be(FullSlow, "mean 75 beats mean 70 although 90 is the best single run");
        selection.BestFull.Score.Mean.Should().Be(75);
        selection.BestFull.Score.Std.Should().BeApproximately(Math.Sqrt(50), 1e-12);
        selection.BestAdapters!.Configuration.Should().Be(Adapter64);
        selection.Chosen.Configuration.Should().Be(Adapter64, "adapters (77) beat full fine-tuning (75)");
        selection.Chosen.Columns["RTE"].Mean.Should().Be(77);
        selection.Chosen.Seeds.Should().Equal(1L, 2L);
        selection.Chosen.BestSeed.Should().Be(2);
    }

    [Fact]
    public void FullWinsWhenBetter_AndEachModelAndTaskIsSelectedApart()
    {
        var cells = Seeds("a", FullSlow, 85, 85).Concat(Seeds("a", Adapter64, 80, 82)).Concat(Seeds("b", FullSlow, 50)).Concat(Seeds("b", Adapter16, 51));

        var selections = GlueSelector.Select(cells);

        selections.Select(s => (s.Model, s.Chosen.Configuration)).Should().Equal(("a", FullSlow), ("b", Adapter16));
        selections[0].Chosen.Score.Std.Should().Be(0);
    }

    [Fact]
    public void Mnli_SelectsOnTheMeanOfBothColumns()
    {
        var cells = new[]
        {
            Cell("m", "MNLI", FullSlow, 1, ("MNLI-m", 80), ("MNLI-mm", 60)),
            Cell("m", "MNLI", FullFast, 1, ("MNLI-m", 72), ("MNLI-mm", 72)),
        };

        var selection = GlueSelector.Select(cells).Single();

        selection.Chosen.Configuration.Should().Be(FullFast, "(72 + 72) / 2 beats (80 + 60) / 2");
        selection.Chosen.Columns.Keys.Should().BeEquivalentTo("MNLI-m", "MNLI-mm");
        selection.BestAdapters.Should().BeNull();
    }

    [Fact]
    public void TiesGoToFullFineTuningThenTheSmallerLearningRate()
    {
        var cells = Seeds("m", Adapter16, 70).Concat(Seeds("m", FullFast, 70)).Concat(Seeds("m", FullSlow, 70));

        GlueSelector.Select(cells).Single().Chosen.Configuration.Should().Be(FullSlow);
    }
}
